package billing

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"

	"mailvet/db"
)

// Invoice is a Stripe invoice as the invoice webhooks last described it.
type Invoice struct {
	StripeID         string
	Number           string
	Status           string // draft | open | paid | void | uncollectible
	AmountDue        int64  // in the currency's smallest unit
	AmountPaid       int64
	Currency         string
	HostedInvoiceURL string
	InvoicePDF       string
	PeriodStart      *time.Time
	PeriodEnd        *time.Time
	Created          time.Time
}

// Invoices lists a tenant's invoices, newest first, at most limit.
func (s *Service) Invoices(ctx context.Context, tenantID uuid.UUID, limit int) ([]Invoice, error) {
	var out []Invoice
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		out, err = invoices(ctx, sqlTx(tx), tenantID, limit)
		return err
	})
	return out, err
}

func invoices(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, limit int) ([]Invoice, error) {
	rows, err := tx.QueryContext(ctx, `SELECT stripe_invoice_id, number, status, amount_due, amount_paid, currency,
			hosted_invoice_url, invoice_pdf, period_start, period_end, created
		FROM invoices WHERE tenant_id = $1 ORDER BY created DESC, stripe_invoice_id DESC LIMIT $2`, tenantID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invoice
	for rows.Next() {
		var in Invoice
		if err := rows.Scan(&in.StripeID, &in.Number, &in.Status, &in.AmountDue, &in.AmountPaid, &in.Currency,
			&in.HostedInvoiceURL, &in.InvoicePDF, &in.PeriodStart, &in.PeriodEnd, &in.Created); err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

// invoiceRank orders invoice states: a final state is never replaced by
// an earlier one that arrives late with the same timestamp.
func invoiceRank(status string) int {
	switch status {
	case "draft":
		return 0
	case "open":
		return 1
	default: // paid, void, uncollectible
		return 2
	}
}

// storeInvoice upserts an invoice from an event created at `at`, unless the
// stored one is newer. It returns the status now stored. It runs in the
// webhook's system transaction: an invoice is found by its Stripe id, and
// may belong to no tenant yet.
func storeInvoice(ctx context.Context, tx *sql.Tx, tenantID *uuid.UUID, inv *stripe.Invoice, at time.Time) (string, error) {
	var oldStatus string
	var oldAt time.Time
	err := tx.QueryRowContext(ctx, `SELECT status, event_at FROM invoices WHERE stripe_invoice_id = $1 FOR UPDATE`, inv.ID).Scan(&oldStatus, &oldAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", err
	case at.Before(oldAt), at.Equal(oldAt) && invoiceRank(string(inv.Status)) < invoiceRank(oldStatus):
		return oldStatus, nil // older news
	}
	var subID *string
	if inv.Subscription != nil && inv.Subscription.ID != "" {
		subID = &inv.Subscription.ID
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO invoices (stripe_invoice_id, tenant_id, stripe_customer_id, stripe_subscription_id, number, status,
			amount_due, amount_paid, currency, hosted_invoice_url, invoice_pdf, period_start, period_end, created, event_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (stripe_invoice_id) DO UPDATE SET
			tenant_id = coalesce(invoices.tenant_id, EXCLUDED.tenant_id), stripe_subscription_id = EXCLUDED.stripe_subscription_id,
			number = EXCLUDED.number, status = EXCLUDED.status, amount_due = EXCLUDED.amount_due, amount_paid = EXCLUDED.amount_paid,
			currency = EXCLUDED.currency, hosted_invoice_url = EXCLUDED.hosted_invoice_url, invoice_pdf = EXCLUDED.invoice_pdf,
			period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end, created = EXCLUDED.created,
			event_at = EXCLUDED.event_at, updated_at = now()`,
		inv.ID, tenantID, customerID(inv.Customer), subID, inv.Number, string(inv.Status),
		inv.AmountDue, inv.AmountPaid, string(inv.Currency), inv.HostedInvoiceURL, inv.InvoicePDF,
		unixPtr(inv.PeriodStart), unixPtr(inv.PeriodEnd), time.Unix(inv.Created, 0).UTC(), at)
	return string(inv.Status), err
}

func customerID(c *stripe.Customer) string {
	if c == nil {
		return ""
	}
	return c.ID
}

func unixPtr(sec int64) *time.Time {
	if sec == 0 {
		return nil
	}
	t := time.Unix(sec, 0).UTC()
	return &t
}
