package billing

// Subscription snapshots from webhooks: which plan and status an event
// describes, and applying it only when newer than what is stored, so that
// delivery order does not matter.

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"mailvet/actor"
	"mailvet/audit"
)

// snapshot is a subscription as one event described it.
type snapshot struct {
	sub     *stripe.Subscription
	deleted bool
	at      time.Time // the event's created time
	rank    int       // orders snapshots of the same second
}

// snapshotRank: in one second a subscription goes from incomplete to
// running to canceled, never back.
func snapshotRank(status stripe.SubscriptionStatus, deleted bool) int {
	switch {
	case deleted || status == "canceled" || status == "incomplete_expired":
		return 2
	case status == "incomplete":
		return 0
	default:
		return 1
	}
}

// ourStatus maps Stripe's subscription statuses to the four we keep.
// unpaid (retries exhausted) stays past_due, so the grace period, counted
// from the first failure, has run out by then or soon will.
func ourStatus(status stripe.SubscriptionStatus, deleted bool) string {
	if deleted {
		return "canceled"
	}
	switch status {
	case "active", "trialing":
		return string(status)
	case "past_due", "unpaid":
		return "past_due"
	}
	return "canceled" // canceled, incomplete, incomplete_expired, paused
}

func (s *Stripe) subscriptionChanged(ctx context.Context, tx webhookTx, raw json.RawMessage, sub *stripe.Subscription, deleted bool, at time.Time) (string, uuid.UUID, error) {
	customer := customerID(sub.Customer)
	if sub.ID == "" || customer == "" {
		return "no subscription or customer id", uuid.Nil, nil
	}
	if err := lockCustomer(ctx, tx.Tx, customer); err != nil {
		return "", uuid.Nil, err
	}
	snap := snapshot{sub: sub, deleted: deleted, at: at, rank: snapshotRank(sub.Status, deleted)}
	tenantID, ok, err := tenantForCustomer(ctx, tx.Tx, customer)
	if err == nil && !ok {
		tenantID, ok, err = tenantFromMetadata(ctx, tx.Tx, sub.Metadata)
	}
	if err != nil {
		return "", uuid.Nil, err
	}
	if !ok {
		// Not linked yet: keep the newest state for checkout.session.completed.
		_, err := tx.ExecContext(ctx, `INSERT INTO stripe_pending_subscriptions AS p (stripe_customer_id, subscription, deleted, event_at, event_rank)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (stripe_customer_id) DO UPDATE SET subscription = EXCLUDED.subscription, deleted = EXCLUDED.deleted,
				event_at = EXCLUDED.event_at, event_rank = EXCLUDED.event_rank, received_at = now()
			WHERE (p.event_at, p.event_rank) <= (EXCLUDED.event_at, EXCLUDED.event_rank)`,
			customer, []byte(raw), deleted, at, snap.rank)
		return "customer not linked yet: kept for checkout.session.completed", uuid.Nil, err
	}
	return s.applySnapshot(ctx, tx, tenantID, snap)
}

// applySnapshot writes a subscription's state to the tenant's row unless
// newer state is there already.
func (s *Stripe) applySnapshot(ctx context.Context, tx webhookTx, tenantID uuid.UUID, snap snapshot) (string, uuid.UUID, error) {
	sub := snap.sub
	row, err := lockSubscription(ctx, tx.Tx, tenantID)
	if err != nil {
		return "", uuid.Nil, err
	}
	status := ourStatus(sub.Status, snap.deleted)
	if row != nil && row.subID != "" && row.subID != sub.ID {
		if status == "canceled" {
			return "another subscription of this workspace ended", uuid.Nil, nil
		}
		if row.subEventAt != nil && snap.at.Before(*row.subEventAt) {
			return "older news of another subscription", uuid.Nil, nil
		}
		// A new running subscription replaces the old one.
		row.subEventAt, row.statusEventAt, row.pastDueSince = nil, nil, nil
	}
	if row != nil && row.subEventAt != nil &&
		(snap.at.Before(*row.subEventAt) || snap.at.Equal(*row.subEventAt) && snap.rank < row.subEventRank) {
		return "older than the state already applied", uuid.Nil, nil
	}
	plan, item := FreePlan, ""
	if status != "canceled" {
		plan, item = s.planOfItems(sub)
		if plan == "" {
			s.log.Warn("stripe subscription has no configured price", "subscription", sub.ID, "tenant", tenantID)
			return "no configured price on the subscription", uuid.Nil, nil
		}
	}
	statusAt := snap.at
	var pastDue *time.Time
	switch {
	case status != "canceled" && row != nil && row.statusEventAt != nil && snap.at.Before(*row.statusEventAt):
		// An invoice event after this snapshot said more recently whether
		// payment is late.
		status, pastDue, statusAt = row.status, row.pastDueSince, *row.statusEventAt
	case status == "past_due" && row != nil && row.status == "past_due" && row.pastDueSince != nil:
		pastDue = row.pastDueSince
	case status == "past_due":
		pastDue = &snap.at
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO subscriptions (tenant_id, plan_id, status, stripe_customer_id, stripe_subscription_id,
			stripe_metered_item_id, current_period_start, current_period_end, past_due_since, sub_event_at, sub_event_rank, status_event_at)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''), $7, $8, $9, $10, $11, $12)
		ON CONFLICT (tenant_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, status = EXCLUDED.status,
			stripe_customer_id = EXCLUDED.stripe_customer_id, stripe_subscription_id = EXCLUDED.stripe_subscription_id,
			stripe_metered_item_id = EXCLUDED.stripe_metered_item_id, current_period_start = EXCLUDED.current_period_start,
			current_period_end = EXCLUDED.current_period_end, past_due_since = EXCLUDED.past_due_since,
			sub_event_at = EXCLUDED.sub_event_at, sub_event_rank = EXCLUDED.sub_event_rank,
			status_event_at = EXCLUDED.status_event_at, updated_at = now()`,
		tenantID, plan, status, customerID(sub.Customer), sub.ID, item,
		unixPtr(sub.CurrentPeriodStart), unixPtr(sub.CurrentPeriodEnd), pastDue, snap.at, snap.rank, statusAt)
	if err != nil {
		return "", uuid.Nil, err
	}
	before := subRow{plan: FreePlan, status: "none"}
	if row != nil {
		before = *row
	}
	if before.plan == plan && before.status == status {
		return "", tenantID, nil // a renewal's new period, say: no change to audit
	}
	return "", tenantID, audit.RecordChanges(ctx, tx.bun, tenantID, actor.System("billing.stripe_webhook"), AuditSubscriptionChanged,
		"subscription", sub.ID, map[string]any{"stripe_customer": customerID(sub.Customer)},
		map[string]audit.Change{"plan": {Before: before.plan, After: plan}, "status": {Before: before.status, After: status}})
}

// AuditSubscriptionChanged is the audit action of a plan or subscription
// status that Stripe's webhook changed (only when one of them did).
const AuditSubscriptionChanged = "billing.subscription_changed"

// planOfItems finds the plan whose price the subscription has, and the
// item of that plan's metered price.
func (s *Stripe) planOfItems(sub *stripe.Subscription) (plan, meteredItem string) {
	if sub.Items == nil {
		return "", ""
	}
	metered := map[string]string{}
	for _, it := range sub.Items.Data {
		if it == nil || it.Price == nil {
			continue
		}
		p, isMetered := s.planForPrice(it.Price.ID)
		switch {
		case p == "":
		case isMetered:
			metered[p] = it.ID
		default:
			plan = p
		}
	}
	return plan, metered[plan]
}
