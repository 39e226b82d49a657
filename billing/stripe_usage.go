package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"mailvet/db"
)

// UsageReport counts what one ReportUsage run did.
type UsageReport struct {
	Checked int `json:"checked"` // tenants with a metered subscription item
	Sent    int `json:"sent"`    // usage records sent
	Failed  int `json:"failed"`
}

// ReportUsage tells Stripe each paid tenant's overage of the current
// calendar month (use above monthly_included) on its metered subscription
// item, as a usage record with action=set. What was sent is stored per
// tenant and month and a record is only sent when the value changed; the
// idempotency key (tenant, month, item, revision, value) makes a retried or
// concurrent run send it once. Without Stripe it does nothing.
func (s *Stripe) ReportUsage(ctx context.Context) (UsageReport, error) {
	var rep UsageReport
	if !s.Enabled() {
		return rep, nil
	}
	_, month := periods(s.now())
	todo, err := s.usageDue(ctx, month, &rep)
	if err != nil {
		return rep, err
	}

	var errs []error
	for _, d := range todo {
		// Every report of a month is set at the same instant, so the last
		// one is what counts whether the price sums or takes the last value.
		at := month
		if d.periodStart != nil && d.periodStart.After(at) {
			at = *d.periodStart
		}
		if now := s.now(); at.After(now) {
			at = now
		}
		revision := d.revision + 1
		params := &stripe.UsageRecordParams{
			SubscriptionItem: stripe.String(d.item),
			Action:           stripe.String("set"),
			Quantity:         stripe.Int64(int64(d.overage)),
			Timestamp:        stripe.Int64(at.Unix()),
		}
		params.Context = ctx
		params.SetIdempotencyKey(fmt.Sprintf("mailvet-usage-%s-%s-%s-%d-%d", d.tenant, month.Format("2006-01"), d.item, revision, d.overage))
		if _, err := s.api.UsageRecords.New(params); err != nil {
			rep.Failed++
			errs = append(errs, fmt.Errorf("report usage of tenant %s: %w", d.tenant, err))
			continue
		}
		rep.Sent++
		// What was sent is the tenant's own row: its transaction writes it.
		err := s.db.Tx(ctx, db.Tenant(d.tenant), func(ctx context.Context, tx db.Tx) error {
			_, err := sqlTx(tx).ExecContext(ctx, `INSERT INTO usage_reports AS r (tenant_id, period, subscription_item_id, quantity, revision)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (tenant_id, period) DO UPDATE SET subscription_item_id = EXCLUDED.subscription_item_id,
					quantity = EXCLUDED.quantity, revision = EXCLUDED.revision, reported_at = now()`,
				d.tenant, month, d.item, d.overage, revision)
			return err
		})
		if err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

// usageDue is one tenant to report: its metered item, its overage this
// month and what was last reported for it.
type usageDue struct {
	tenant             uuid.UUID
	item, reportedItem string
	periodStart        *time.Time
	overage, reported  int
	revision           int
}

// usageDue finds, across every tenant, the paid subscriptions whose
// overage this month differs from what Stripe was last told; it counts
// the tenants checked in rep.
func (s *Stripe) usageDue(ctx context.Context, month time.Time, rep *UsageReport) ([]usageDue, error) {
	var todo []usageDue
	err := s.db.Tx(ctx, db.System("billing: hourly sweep of every paid tenant's overage for Stripe metered usage"), func(ctx context.Context, tx db.Tx) error {
		rows, err := sqlTx(tx).QueryContext(ctx, `SELECT s.tenant_id, s.stripe_metered_item_id, s.current_period_start, p.monthly_included,
				coalesce(CASE WHEN q.month = $1 THEN q.month_used END, 0),
				coalesce(r.subscription_item_id, ''), coalesce(r.quantity, 0), coalesce(r.revision, 0)
			FROM subscriptions s
			JOIN plans p ON p.id = s.plan_id
			LEFT JOIN quota_usage q ON q.tenant_id = s.tenant_id
			LEFT JOIN usage_reports r ON r.tenant_id = s.tenant_id AND r.period = $1
			WHERE s.stripe_metered_item_id IS NOT NULL AND p.price_cents > 0
			  AND s.status IN ('active', 'trialing', 'past_due')
			ORDER BY s.tenant_id`, month)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d usageDue
			var included, used int
			if err := rows.Scan(&d.tenant, &d.item, &d.periodStart, &included, &used, &d.reportedItem, &d.reported, &d.revision); err != nil {
				return err
			}
			rep.Checked++
			d.overage = max(used-included, 0)
			if d.reportedItem == "" && d.overage == 0 {
				continue // nothing reported is zero
			}
			if d.reportedItem == d.item && d.reported == d.overage {
				continue
			}
			todo = append(todo, d)
		}
		return rows.Err()
	})
	return todo, err
}

// ReportedUsage is what was last sent for a tenant's month, for tests and
// support.
func (s *Service) ReportedUsage(ctx context.Context, tenantID uuid.UUID, month time.Time) (quantity int, ok bool, err error) {
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return sqlTx(tx).QueryRowContext(ctx, `SELECT quantity FROM usage_reports WHERE tenant_id = $1 AND period = $2`, tenantID, month).Scan(&quantity)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return quantity, err == nil, err
}
