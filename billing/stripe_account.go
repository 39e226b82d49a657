package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
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
	sub := Subscription{TenantID: tenantID}
	var customer, subID, item sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT plan_id, status, stripe_customer_id, stripe_subscription_id, stripe_metered_item_id,
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

// Account gathers a tenant's plan, subscription, usage and invoices.
func (s *Service) Account(ctx context.Context, tenantID uuid.UUID) (Account, error) {
	var a Account
	var err error
	if a.Usage, err = s.Usage(ctx, tenantID); err != nil {
		return a, err
	}
	if a.Plan, err = s.PlanFor(ctx, tenantID); err != nil {
		return a, err
	}
	if a.Subscription, err = s.Subscription(ctx, tenantID); err != nil {
		return a, err
	}
	if sub := a.Subscription; sub != nil && sub.Live() {
		p, err := s.plan(ctx, sub.PlanID)
		if err != nil {
			return a, err
		}
		a.Subscribed = &p
		if sub.Status == "past_due" && sub.PastDueSince != nil {
			ends := sub.PastDueSince.Add(s.grace)
			a.GraceEnds = &ends
		}
	}
	a.EstimateCents = Estimate(a.Plan, a.Usage.MonthUsed)
	if a.Invoices, err = s.Invoices(ctx, tenantID, 24); err != nil {
		return a, err
	}
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
	err := s.db.QueryRowContext(ctx, `SELECT p.name, s.past_due_since FROM subscriptions s JOIN plans p ON p.id = s.plan_id
		WHERE s.tenant_id = $1 AND s.status = 'past_due' AND s.past_due_since IS NOT NULL`, tenantID).Scan(&planName, &since)
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

func (s *Service) plan(ctx context.Context, id string) (Plan, error) {
	return scanPlan(s.db.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = $1`, id))
}
