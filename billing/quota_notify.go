package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/mail"
	"mailvet/webhooks"
)

// Events records quota.threshold for the tenant's webhooks
// (webhooks.Service), in the transaction that crossed it.
type Events interface {
	Record(ctx context.Context, tx db.Tx, tenantID uuid.UUID, eventType string, data any) (webhooks.Event, error)
}

// WithEvents makes crossing a threshold a webhook event too.
func (s *Service) WithEvents(events Events) *Service {
	s.events = events
	return s
}

// notifyThresholds tells the tenant once when monthly use of the included
// amount crosses 80% and once when it reaches 100%: its owners by mail,
// its webhooks by a quota.threshold event.
func (s *Service) notifyThresholds(ctx context.Context, dbtx db.Tx, tenantID uuid.UUID, q Quota, n int, month time.Time) error {
	tx := sqlTx(dbtx)
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
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // already told this month
	}
	if s.events != nil {
		if _, err := s.events.Record(ctx, dbtx, tenantID, webhooks.QuotaThreshold, webhooks.QuotaData{Percent: threshold, Plan: q.Plan,
			MonthUsed: q.MonthUsed, MonthIncluded: q.MonthIncluded, MonthLimit: q.MonthLimit}); err != nil {
			return err
		}
	}
	if s.mail == nil {
		return nil
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
