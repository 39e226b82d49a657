package billing

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/mail"
)

// notifyThresholds mails the owners once when monthly use of the included
// amount crosses 80% and once when it reaches 100%.
func (s *Service) notifyThresholds(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, q Quota, n int, month time.Time) error {
	before := (q.MonthUsed - n) * 100 / q.MonthIncluded
	after := q.MonthUsed * 100 / q.MonthIncluded
	threshold := 0
	switch {
	case before < 100 && after >= 100:
		threshold = 100
	case before < 80 && after >= 80:
		threshold = 80
	default:
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE quota_usage SET notified_month = $2, notified_pct = $3
		WHERE tenant_id = $1 AND (notified_month IS DISTINCT FROM $2 OR notified_pct < $3)`, tenantID, month, threshold)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 || s.mail == nil {
		return nil // already told this month
	}
	rows, err := tx.QueryContext(ctx, `SELECT u.email, t.name FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
		WHERE m.tenant_id = $1 AND m.role = $2`, tenantID, string(actor.RoleOwner))
	if err != nil {
		return err
	}
	type owner struct{ email, tenant string }
	var owners []owner
	for rows.Next() {
		var o owner
		if err := rows.Scan(&o.email, &o.tenant); err != nil {
			rows.Close()
			return err
		}
		owners = append(owners, o)
	}
	rows.Close()
	for _, o := range owners {
		msg := mail.Message{
			To:      o.email,
			Subject: fmt.Sprintf("%s has used %d%% of its monthly verifications", o.tenant, threshold),
			Text: english().Sprintf("%s has used %d of the %d verifications included this month (%d%%).\n\nSee usage and upgrade options: %s\n",
				o.tenant, q.MonthUsed, q.MonthIncluded, after, s.link("/billing")),
		}
		if err := s.mail.Enqueue(ctx, tx, msg); err != nil {
			return err
		}
	}
	return nil
}
