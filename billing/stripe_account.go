package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
)

// Subscription is a tenant's row of the subscriptions table.
type Subscription struct {
	TenantID             uuid.UUID
	PlanID               string
	Status               string // active | trialing | past_due | canceled
	StripeCustomerID     string
	StripeSubscriptionID string
	MeteredItemID        string
	CurrentPeriodStart   *time.Time
	CurrentPeriodEnd     *time.Time
	PastDueSince         *time.Time
}

// Live reports whether the subscription still runs in Stripe (past due
// included, whatever the grace period says).
func (s *Subscription) Live() bool {
	return s != nil && (s.Status == "active" || s.Status == "trialing" || s.Status == "past_due")
}

// Subscription returns the tenant's subscription row, or nil without one.
func (s *Service) Subscription(ctx context.Context, tenantID uuid.UUID) (*Subscription, error) {
	var sub *Subscription
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		sub, err = subscription(ctx, sqlTx(tx), tenantID)
		return err
	})
	return sub, err
}

func subscription(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID) (*Subscription, error) {
	sub := Subscription{TenantID: tenantID}
	var customer, subID, item sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT plan_id, status, stripe_customer_id, stripe_subscription_id, stripe_metered_item_id,
			current_period_start, current_period_end, past_due_since
		FROM subscriptions WHERE tenant_id = $1`, tenantID).
		Scan(&sub.PlanID, &sub.Status, &customer, &subID, &item, &sub.CurrentPeriodStart, &sub.CurrentPeriodEnd, &sub.PastDueSince)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sub.StripeCustomerID, sub.StripeSubscriptionID, sub.MeteredItemID = customer.String, subID.String, item.String
	return &sub, nil
}

// Account is everything the billing page shows about one tenant.
type Account struct {
	Plan         Plan          // the plan in force now (free after the grace period)
	Subscription *Subscription // nil: never subscribed
	Subscribed   *Plan         // the running subscription's plan (Plan is free once the grace period is over)
	Usage        Quota
	// EstimateCents is the next invoice: the plan's price plus overage
	// at overage_cents_per_1000 for this month's use above the included.
	EstimateCents int
	GraceEnds     *time.Time // past due: when the plan falls back to free
	Invoices      []Invoice
}

// Account gathers a tenant's plan, subscription, usage and invoices, read
// in one snapshot so that the page's figures agree.
func (s *Service) Account(ctx context.Context, tenantID uuid.UUID) (Account, error) {
	var a Account
	day, month := periods(s.now())
	err := s.db.Tx(ctx, db.Tenant(tenantID).Snapshot(), func(ctx context.Context, tx db.Tx) error {
		stx := sqlTx(tx)
		var err error
		if a.Plan, err = planFor(ctx, stx, tenantID, s.grace); err != nil {
			return err
		}
		a.Usage = planQuota(a.Plan)
		if a.Usage.DayUsed, a.Usage.MonthUsed, err = usedIn(ctx, stx, day, month, tenantCounter, tenantID); err != nil {
			return err
		}
		a.Usage.derive()
		if a.Subscription, err = subscription(ctx, stx, tenantID); err != nil {
			return err
		}
		if sub := a.Subscription; sub != nil && sub.Live() {
			p, err := plan(ctx, stx, sub.PlanID)
			if err != nil {
				return err
			}
			a.Subscribed = &p
			if sub.Status == "past_due" && sub.PastDueSince != nil {
				ends := sub.PastDueSince.Add(s.grace)
				a.GraceEnds = &ends
			}
		}
		a.Invoices, err = invoices(ctx, stx, tenantID, 24)
		return err
	})
	if err != nil {
		return a, err
	}
	s.plans.Put(tenantID, a.Plan)
	a.EstimateCents = Estimate(a.Plan, a.Usage.MonthUsed)
	return a, nil
}

// Estimate is a month's bill on plan for used verifications: the price plus
// overage_cents_per_1000 for each started thousand above monthly_included.
func Estimate(plan Plan, used int) int {
	over := max(used-plan.MonthlyIncluded, 0)
	return plan.PriceCents + (over*plan.OverageCentsPer1000+999)/1000
}

// Notice is the banner text for a tenant whose payment failed, or "".
func (s *Service) Notice(ctx context.Context, tenantID uuid.UUID) (string, error) {
	var planName string
	var since time.Time
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return sqlTx(tx).QueryRowContext(ctx, `SELECT p.name, s.past_due_since FROM subscriptions s JOIN plans p ON p.id = s.plan_id
			WHERE s.tenant_id = $1 AND s.status = 'past_due' AND s.past_due_since IS NOT NULL`, tenantID).Scan(&planName, &since)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	ends := since.Add(s.grace)
	if s.now().Before(ends) {
		return fmt.Sprintf("Your last payment failed. Update your payment method on the Billing page before %s to keep the %s plan.",
			ends.UTC().Format("2 Jan 2006"), planName), nil
	}
	return fmt.Sprintf("Your payment is overdue, so this workspace is on the Free plan. Pay the open invoice on the Billing page to get the %s plan back.", planName), nil
}

func plan(ctx context.Context, tx *sql.Tx, id string) (Plan, error) {
	return scanPlan(tx.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = $1`, id))
}
