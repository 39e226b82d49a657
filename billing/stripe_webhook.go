package billing

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"mailvet/db"
)

// ErrBadEvent is a correctly signed delivery whose content cannot be read.
var ErrBadEvent = errors.New("unreadable Stripe event")

// WebhookResult says what one delivery did, for the log.
type WebhookResult struct {
	EventID   string
	Type      string
	Duplicate bool      // processed before: nothing changed
	Note      string    // why the event changed nothing, when it did not
	Tenant    uuid.UUID // the tenant it applied to, if any
}

// HandleWebhook verifies a Stripe webhook delivery and applies it. The
// event id is stored in the same transaction as the event's effects, so a
// replay changes nothing; events are applied so that any delivery order
// ends in the same state. A bad signature, or one whose timestamp is
// outside the tolerance either way, is ErrBadSignature, and nothing is
// read or written then.
func (s *Stripe) HandleWebhook(ctx context.Context, payload []byte, signature string) (WebhookResult, error) {
	var res WebhookResult
	if !s.Enabled() || s.cfg.WebhookSecret == "" {
		return res, ErrBillingOff
	}
	ev, err := s.verifiedEvent(payload, signature)
	if err != nil {
		return res, err
	}
	res.EventID, res.Type = ev.ID, string(ev.Type)
	at := time.Unix(ev.Created, 0).UTC()

	// The system path: an event names a Stripe customer, and which tenant
	// that is is what the transaction finds out; the event id it records
	// belongs to no tenant.
	err = s.db.Tx(ctx, db.System("stripe webhook: record the event id and find its tenant by Stripe customer id"), func(ctx context.Context, dtx db.Tx) error {
		tx := webhookTx{Tx: sqlTx(dtx), bun: dtx}
		fresh, err := recordEvent(ctx, tx.Tx, ev)
		if err != nil {
			return err
		}
		if !fresh {
			res.Duplicate = true
			return nil
		}
		res.Note, res.Tenant, err = s.apply(ctx, tx, ev, at)
		return err
	})
	if err != nil {
		return res, err
	}
	if res.Tenant != uuid.Nil {
		s.svc.ForgetPlan(res.Tenant) // this process sees the new plan at once
	}
	return res, nil
}

// webhookTx is a webhook's transaction: database/sql for the billing
// tables, and the same transaction through bun for the audit log.
type webhookTx struct {
	*sql.Tx
	bun db.Tx
}

func (s *Stripe) apply(ctx context.Context, tx webhookTx, ev stripe.Event, at time.Time) (string, uuid.UUID, error) {
	switch ev.Type {
	case "checkout.session.completed":
		var cs stripe.CheckoutSession
		if err := json.Unmarshal(ev.Data.Raw, &cs); err != nil {
			return "", uuid.Nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
		}
		return s.checkoutCompleted(ctx, tx, &cs)
	case "customer.subscription.created", "customer.subscription.updated", "customer.subscription.deleted",
		"customer.subscription.paused", "customer.subscription.resumed":
		var sub stripe.Subscription
		if err := json.Unmarshal(ev.Data.Raw, &sub); err != nil {
			return "", uuid.Nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
		}
		return s.subscriptionChanged(ctx, tx, ev.Data.Raw, &sub, ev.Type == "customer.subscription.deleted", at)
	case "invoice.paid", "invoice.payment_failed", "invoice.finalized", "invoice.updated", "invoice.voided",
		"invoice.marked_uncollectible", "invoice.payment_succeeded":
		var inv stripe.Invoice
		if err := json.Unmarshal(ev.Data.Raw, &inv); err != nil {
			return "", uuid.Nil, fmt.Errorf("%w: %v", ErrBadEvent, err)
		}
		return s.invoiceChanged(ctx, tx.Tx, string(ev.Type), &inv, at)
	}
	return "event type not handled", uuid.Nil, nil
}

// lockCustomer serialises every event about one Stripe customer, even
// before any row exists for it.
func lockCustomer(ctx context.Context, tx *sql.Tx, customer string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('stripe-customer:' || $1, 0))`, customer)
	return err
}

func tenantForCustomer(ctx context.Context, tx *sql.Tx, customer string) (uuid.UUID, bool, error) {
	var id uuid.UUID
	err := tx.QueryRowContext(ctx, `SELECT tenant_id FROM subscriptions WHERE stripe_customer_id = $1`, customer).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return id, false, nil
	}
	return id, err == nil, err
}

// tenantFromMetadata reads the tenant_id Checkout put on the subscription.
func tenantFromMetadata(ctx context.Context, tx *sql.Tx, md map[string]string) (uuid.UUID, bool, error) {
	id, err := uuid.Parse(md["tenant_id"])
	if err != nil {
		return id, false, nil
	}
	return tenantExists(ctx, tx, id)
}

func tenantExists(ctx context.Context, tx *sql.Tx, id uuid.UUID) (uuid.UUID, bool, error) {
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)`, id).Scan(&ok)
	return id, ok, err
}

// subRow is a locked subscriptions row.
type subRow struct {
	plan          string
	status        string
	customerID    string
	subID         string
	pastDueSince  *time.Time
	subEventAt    *time.Time
	subEventRank  int
	statusEventAt *time.Time
}

func lockSubscription(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID) (*subRow, error) {
	var r subRow
	var customer, subID sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT plan_id, status, stripe_customer_id, stripe_subscription_id, past_due_since, sub_event_at, sub_event_rank, status_event_at
		FROM subscriptions WHERE tenant_id = $1 FOR UPDATE`, tenantID).
		Scan(&r.plan, &r.status, &customer, &subID, &r.pastDueSince, &r.subEventAt, &r.subEventRank, &r.statusEventAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	r.customerID, r.subID = customer.String, subID.String
	return &r, err
}

// checkoutCompleted links the session's customer (and subscription) to the
// tenant named by client_reference_id, then applies what arrived for that
// customer before the link.
func (s *Stripe) checkoutCompleted(ctx context.Context, tx webhookTx, cs *stripe.CheckoutSession) (string, uuid.UUID, error) {
	if cs.Mode != stripe.CheckoutSessionModeSubscription {
		return "not a subscription checkout", uuid.Nil, nil
	}
	customer := customerID(cs.Customer)
	tenantID, err := uuid.Parse(cs.ClientReferenceID)
	if err != nil || customer == "" {
		return "no tenant or customer on the session", uuid.Nil, nil
	}
	if _, ok, err := tenantExists(ctx, tx.Tx, tenantID); err != nil || !ok {
		return "tenant does not exist", uuid.Nil, err
	}
	if err := lockCustomer(ctx, tx.Tx, customer); err != nil {
		return "", uuid.Nil, err
	}
	if other, ok, err := tenantForCustomer(ctx, tx.Tx, customer); err != nil {
		return "", uuid.Nil, err
	} else if ok && other != tenantID {
		s.log.Error("stripe customer already linked to another tenant", "customer", customer, "tenant", tenantID, "linked_tenant", other)
		return "customer belongs to another tenant", uuid.Nil, nil
	}
	var subID string
	if cs.Subscription != nil {
		subID = cs.Subscription.ID
	}
	row, err := lockSubscription(ctx, tx.Tx, tenantID)
	if err != nil {
		return "", uuid.Nil, err
	}
	switch {
	case row == nil:
		// No plan yet: the subscription events set it.
		_, err = tx.ExecContext(ctx, `INSERT INTO subscriptions (tenant_id, plan_id, status, stripe_customer_id, stripe_subscription_id)
			VALUES ($1, $2, 'canceled', $3, nullif($4, ''))`, tenantID, FreePlan, customer, subID)
	case subID != "" && row.subID != subID && row.subEventAt != nil && row.status != "canceled":
		// A running subscription was applied already (this one arrived
		// after a newer one): keep it, only link the customer.
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET stripe_customer_id = $2, updated_at = now() WHERE tenant_id = $1`, tenantID, customer)
	case subID != "" && row.subID != subID:
		// A new subscription: forget the event times of the old one.
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET stripe_customer_id = $2, stripe_subscription_id = $3,
			sub_event_at = NULL, sub_event_rank = 0, status_event_at = NULL, updated_at = now() WHERE tenant_id = $1`, tenantID, customer, subID)
	default:
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET stripe_customer_id = $2, updated_at = now() WHERE tenant_id = $1`, tenantID, customer)
	}
	if err != nil {
		return "", uuid.Nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE invoices SET tenant_id = $1, updated_at = now() WHERE stripe_customer_id = $2 AND tenant_id IS NULL`, tenantID, customer); err != nil {
		return "", uuid.Nil, err
	}
	var raw []byte
	var p snapshot
	err = tx.QueryRowContext(ctx, `DELETE FROM stripe_pending_subscriptions WHERE stripe_customer_id = $1
		RETURNING subscription, deleted, event_at, event_rank`, customer).Scan(&raw, &p.deleted, &p.at, &p.rank)
	if errors.Is(err, sql.ErrNoRows) {
		return "", tenantID, nil
	}
	if err != nil {
		return "", uuid.Nil, err
	}
	var sub stripe.Subscription
	if err := json.Unmarshal(raw, &sub); err != nil {
		return "", uuid.Nil, err
	}
	p.sub = &sub
	return s.applySnapshot(ctx, tx, tenantID, p)
}

// invoiceChanged stores the invoice and, for paid and payment_failed,
// moves the subscription out of or into past due.
func (s *Stripe) invoiceChanged(ctx context.Context, tx *sql.Tx, typ string, inv *stripe.Invoice, at time.Time) (string, uuid.UUID, error) {
	customer := customerID(inv.Customer)
	if inv.ID == "" || customer == "" {
		return "no invoice or customer id", uuid.Nil, nil
	}
	if err := lockCustomer(ctx, tx, customer); err != nil {
		return "", uuid.Nil, err
	}
	tenantID, ok, err := tenantForCustomer(ctx, tx, customer)
	if err == nil && !ok && inv.SubscriptionDetails != nil {
		tenantID, ok, err = tenantFromMetadata(ctx, tx, inv.SubscriptionDetails.Metadata)
	}
	if err != nil {
		return "", uuid.Nil, err
	}
	var tenant *uuid.UUID
	if ok {
		tenant = &tenantID
	}
	stored, err := storeInvoice(ctx, tx, tenant, inv, at)
	if err != nil || tenant == nil {
		return "invoice kept until its customer is linked", uuid.Nil, err
	}
	if typ != "invoice.paid" && typ != "invoice.payment_failed" {
		return "", uuid.Nil, nil
	}
	row, err := lockSubscription(ctx, tx, tenantID)
	if err != nil || row == nil || inv.Subscription == nil || row.subID != inv.Subscription.ID {
		return "not an invoice of the workspace's subscription", uuid.Nil, err
	}
	if row.statusEventAt != nil && at.Before(*row.statusEventAt) {
		return "older than the status already applied", uuid.Nil, nil
	}
	switch {
	case typ == "invoice.payment_failed" && stored != "paid" && (row.status == "active" || row.status == "trialing"):
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'past_due', past_due_since = coalesce(past_due_since, $2),
			status_event_at = $2, updated_at = now() WHERE tenant_id = $1`, tenantID, at)
	case typ == "invoice.paid" && row.status == "past_due":
		_, err = tx.ExecContext(ctx, `UPDATE subscriptions SET status = 'active', past_due_since = NULL,
			status_event_at = $2, updated_at = now() WHERE tenant_id = $1`, tenantID, at)
	}
	return "", tenantID, err
}
