package billing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/billing/stripemock"
	"mailvet/db/dbtest"
)

func TestReportUsageOncePerChange(t *testing.T) {
	f := newFixture(t, stripemock.Start(t))
	ctx := context.Background()
	paid, free, quiet := f.tenant(), f.tenant(), f.tenant()
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(paid, "cus_U", "sub_U")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_U", "cus_U", "active", "basic", nil)))
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(quiet, "cus_Q", "sub_Q")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_Q", "cus_Q", "active", "basic", nil)))
	month := firstOfMonth()
	setUsage := func(tenant uuid.UUID, used int) {
		t.Helper()
		exec(t, f.d, `INSERT INTO quota_usage (tenant_id, day, day_used, month, month_used) VALUES (?, now()::date, 0, ?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET month = EXCLUDED.month, month_used = EXCLUDED.month_used`, tenant, month, used)
	}
	setUsage(paid, 50_000+1234) // basic includes 50,000
	setUsage(free, 900)
	setUsage(quiet, 10) // under the included amount: nothing to report

	rep, err := f.stripe.ReportUsage(ctx)
	if err != nil || rep.Sent != 1 || rep.Checked != 2 {
		t.Fatalf("first run %+v, %v", rep, err)
	}
	sent := f.rec.to("/usage_records")
	if len(sent) != 1 || !strings.Contains(sent[0].path, "/v1/subscription_items/si_basic_over/usage_records") ||
		sent[0].form.Get("action") != "set" || sent[0].form.Get("quantity") != "1234" || sent[0].idempotency == "" {
		t.Fatalf("usage records sent: %+v", sent)
	}
	if q, ok, err := f.svc.ReportedUsage(ctx, paid, month); err != nil || !ok || q != 1234 {
		t.Fatalf("stored %d %v %v", q, ok, err)
	}

	rep, err = f.stripe.ReportUsage(ctx)
	if err != nil || rep.Sent != 0 || len(f.rec.to("/usage_records")) != 1 {
		t.Fatalf("second run %+v, %v: sent again", rep, err)
	}

	setUsage(paid, 50_000+2000)
	if rep, err := f.stripe.ReportUsage(ctx); err != nil || rep.Sent != 1 {
		t.Fatalf("after change %+v, %v", rep, err)
	}
	sent = f.rec.to("/usage_records")
	if len(sent) != 2 || sent[1].form.Get("quantity") != "2000" || sent[1].idempotency == sent[0].idempotency ||
		sent[1].form.Get("timestamp") != sent[0].form.Get("timestamp") {
		t.Fatalf("usage records sent: %+v", sent)
	}
	if q, _, _ := f.svc.ReportedUsage(ctx, paid, month); q != 2000 {
		t.Fatalf("stored %d", q)
	}
}

func TestBillingOff(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	off := billing.NewStripe(d, svc, billing.StripeConfig{WebhookSecret: whsec})
	var nilStripe *billing.Stripe
	if off.Enabled() || nilStripe.Enabled() || off.ForSale("basic") {
		t.Fatal("enabled without a key")
	}
	if rep, err := off.ReportUsage(ctx); err != nil || rep != (billing.UsageReport{}) {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	if _, err := off.Checkout(ctx, uuid.New(), "basic", "", "http://x", actor.Operator()); !errors.Is(err, billing.ErrBillingOff) {
		t.Fatalf("checkout: %v", err)
	}
	if _, err := off.Portal(ctx, uuid.New(), "http://x", actor.Operator()); !errors.Is(err, billing.ErrBillingOff) {
		t.Fatalf("portal: %v", err)
	}
	payload := []byte(`{"id":"evt_1","object":"event","type":"invoice.paid","created":1,"data":{"object":{}}}`)
	if _, err := off.HandleWebhook(ctx, payload, sign(payload)); !errors.Is(err, billing.ErrBillingOff) {
		t.Fatalf("webhook: %v", err)
	}
}

// firstOfMonth is the calendar month (UTC) usage is counted in now.
func firstOfMonth() time.Time {
	now := time.Now().UTC()
	return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func TestEstimate(t *testing.T) {
	basic := billing.Plan{PriceCents: 4900, OverageCentsPer1000: 300, MonthlyIncluded: 50_000}
	for used, want := range map[int]int{0: 4900, 50_000: 4900, 51_000: 5200, 50_001: 4901, 60_500: 4900 + 3150} {
		if got := billing.Estimate(basic, used); got != want {
			t.Errorf("Estimate(%d) = %d, want %d", used, got, want)
		}
	}
}
