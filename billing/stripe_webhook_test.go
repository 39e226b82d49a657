package billing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"

	"mailvet/billing"
)

func TestWebhookCheckoutThenSubscription(t *testing.T) {
	f := newFixture(t, "")
	tenant := f.tenant()
	if got := f.plan(tenant); got != "free" {
		t.Fatalf("plan before = %s", got)
	}
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_A", "sub_A")))
	if got := f.plan(tenant); got != "free" {
		t.Fatalf("plan after checkout alone = %s", got)
	}
	f.deliver(f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "basic", nil)))
	if got := f.plan(tenant); got != "basic" {
		t.Fatalf("plan = %s, want basic", got)
	}
	sub, err := f.svc.Subscription(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	if sub.StripeCustomerID != "cus_A" || sub.StripeSubscriptionID != "sub_A" || sub.MeteredItemID != "si_basic_over" ||
		sub.CurrentPeriodEnd == nil || sub.CurrentPeriodEnd.Format("2006-01-02") != strings.Fields(period)[1] {
		t.Fatalf("subscription %+v", sub)
	}
	// Upgrade, then cancel.
	f.deliver(f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "premium", nil)))
	if got := f.plan(tenant); got != "premium" {
		t.Fatalf("plan = %s, want premium", got)
	}
	f.deliver(f.event("customer.subscription.deleted", subscription("sub_A", "cus_A", "canceled", "premium", nil)))
	if got, want := f.state(tenant), "free canceled cus_A sub_A "+period+" f"; got != want {
		t.Fatalf("after delete: %q, want %q", got, want)
	}
	// Subscribing again starts a new subscription; late news of the old
	// one changes nothing.
	lateOld := f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "basic", nil))
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_A", "sub_B")))
	f.deliver(f.event("customer.subscription.created", subscription("sub_B", "cus_A", "active", "premium", nil)))
	f.deliver(lateOld)
	f.deliver(f.event("customer.subscription.deleted", subscription("sub_A", "cus_A", "canceled", "premium", nil)))
	if got, want := f.state(tenant), "premium active cus_A sub_B si_premium_over "+period+" f"; got != want {
		t.Fatalf("after resubscribing: %q, want %q", got, want)
	}
}

// Whatever order Stripe delivers in, and however often, the end state is
// the same.
func TestWebhooksAreOrderIndependentAndIdempotent(t *testing.T) {
	f := newFixture(t, "")
	type events struct{ checkout, created, updated, failed []byte }
	build := func(tenant uuid.UUID, cus, sub string, metadata map[string]string) events {
		return events{
			checkout: f.event("checkout.session.completed", checkoutCompleted(tenant, cus, sub)),
			created:  f.event("customer.subscription.created", subscription(sub, cus, "incomplete", "basic", metadata)),
			updated:  f.event("customer.subscription.updated", subscription(sub, cus, "active", "basic", metadata)),
		}
	}
	orders := map[string]func(e events) [][]byte{
		"in order":     func(e events) [][]byte { return [][]byte{e.checkout, e.created, e.updated} },
		"reversed":     func(e events) [][]byte { return [][]byte{e.updated, e.created, e.checkout} },
		"update first": func(e events) [][]byte { return [][]byte{e.updated, e.checkout, e.created} },
		"replayed": func(e events) [][]byte {
			return [][]byte{e.checkout, e.checkout, e.created, e.updated, e.updated, e.created, e.checkout}
		},
		"reversed+replay": func(e events) [][]byte {
			return [][]byte{e.updated, e.created, e.updated, e.checkout, e.created, e.checkout}
		},
	}
	for _, withMetadata := range []bool{false, true} {
		for name, order := range orders {
			tenant := f.tenant()
			cus, sub := "cus_"+uuid.NewString()[:8], "sub_"+uuid.NewString()[:8]
			var md map[string]string
			if withMetadata {
				md = map[string]string{"tenant_id": tenant.String()}
			}
			e := build(tenant, cus, sub, md)
			for _, p := range order(e) {
				f.deliver(p)
			}
			want := "basic active " + cus + " " + sub + " si_basic_over " + period + " f"
			if got := f.state(tenant); got != want {
				t.Errorf("%s (metadata %v): %q, want %q", name, withMetadata, got, want)
			}
		}
	}
	var pending int
	if err := f.scalar(&pending, `SELECT count(*) FROM stripe_pending_subscriptions`); err != nil || pending != 0 {
		t.Fatalf("%d pending subscriptions left, %v", pending, err)
	}

	// Replays are recorded once and change nothing.
	tenant := f.tenant()
	e := build(tenant, "cus_R", "sub_R", nil)
	f.deliver(e.checkout)
	if res := f.deliver(e.checkout); !res.Duplicate {
		t.Fatal("replay not recognised")
	}
	// Same-second events: incomplete after active must not win.
	f.clock = f.clock.Add(-time.Second)
	created := f.event("customer.subscription.created", subscription("sub_R", "cus_R", "incomplete", "basic", nil))
	f.clock = f.clock.Add(-time.Second)
	updated := f.event("customer.subscription.updated", subscription("sub_R", "cus_R", "active", "basic", nil))
	f.deliver(updated)
	f.deliver(created)
	if got := f.plan(tenant); got != "basic" {
		t.Fatalf("same-second reversed: plan %s", got)
	}
}

func TestPaymentFailedGraceAndPaid(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	tenant := f.tenant()
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_P", "sub_P")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_P", "cus_P", "active", "basic", nil)))
	f.deliver(f.event("invoice.payment_failed", invoice("in_1", "cus_P", "sub_P", "open", 4900, 0)))
	if got := f.state(tenant); !strings.HasPrefix(got, "basic past_due") || !strings.HasSuffix(got, " t") {
		t.Fatalf("after failure: %s", got)
	}
	if got := f.plan(tenant); got != "basic" {
		t.Fatalf("within grace: plan %s", got)
	}
	notice, err := f.svc.Notice(ctx, tenant)
	if err != nil || !strings.Contains(notice, "payment failed") || !strings.Contains(notice, "Basic") {
		t.Fatalf("notice %q, %v", notice, err)
	}
	// A second failure keeps the first date.
	var since1, since2 time.Time
	if err := f.scalar(&since1, `SELECT past_due_since FROM subscriptions WHERE tenant_id = ?`, tenant); err != nil {
		t.Fatal(err)
	}
	f.deliver(f.event("invoice.payment_failed", invoice("in_1", "cus_P", "sub_P", "open", 4900, 0)))
	if err := f.scalar(&since2, `SELECT past_due_since FROM subscriptions WHERE tenant_id = ?`, tenant); err != nil {
		t.Fatal(err)
	}
	if !since1.Equal(since2) {
		t.Fatalf("past_due_since moved from %v to %v", since1, since2)
	}

	exec(t, f.d, `UPDATE subscriptions SET past_due_since = now() - interval '8 days' WHERE tenant_id = ?`, tenant)
	f.svc.ForgetPlan(tenant) // the plan is remembered for a few seconds
	if got := f.plan(tenant); got != "free" {
		t.Fatalf("after grace: plan %s", got)
	}
	if notice, _ := f.svc.Notice(ctx, tenant); !strings.Contains(notice, "Free plan") {
		t.Fatalf("notice after grace %q", notice)
	}
	acct, err := f.svc.Account(ctx, tenant)
	if err != nil || acct.Plan.ID != "free" || acct.Subscribed == nil || acct.Subscribed.ID != "basic" {
		t.Fatalf("account %+v, %v", acct, err)
	}

	f.deliver(f.event("invoice.paid", invoice("in_1", "cus_P", "sub_P", "paid", 4900, 4900)))
	if got := f.plan(tenant); got != "basic" {
		t.Fatalf("after paid: plan %s", got)
	}
	if notice, _ := f.svc.Notice(ctx, tenant); notice != "" {
		t.Fatalf("notice after paid %q", notice)
	}
	invoices, err := f.svc.Invoices(ctx, tenant, 10)
	if err != nil || len(invoices) != 1 {
		t.Fatalf("invoices %+v, %v", invoices, err)
	}
	if in := invoices[0]; in.StripeID != "in_1" || in.Status != "paid" || in.AmountPaid != 4900 || in.Currency != "usd" ||
		in.HostedInvoiceURL == "" || in.InvoicePDF == "" || in.Number != "MV-in_1" {
		t.Fatalf("invoice %+v", in)
	}
	// The failure delivered again (a new event id, older than the
	// payment) changes nothing.
	f.clock = f.clock.Add(-time.Minute)
	f.deliver(f.event("invoice.payment_failed", invoice("in_1", "cus_P", "sub_P", "open", 4900, 0)))
	if got := f.state(tenant); !strings.HasPrefix(got, "basic active") {
		t.Fatalf("late failure: %s", got)
	}
	if invoices, _ := f.svc.Invoices(ctx, tenant, 10); invoices[0].Status != "paid" {
		t.Fatalf("late failure overwrote the invoice: %+v", invoices[0])
	}
}

func TestBadSignatureChangesNothing(t *testing.T) {
	f := newFixture(t, "")
	tenant := f.tenant()
	payload := f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_X", "sub_X"))
	bad := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: "whsec_wrong"}).Header
	for _, header := range []string{bad, "", "t=1,v1=00"} {
		if _, err := f.stripe.HandleWebhook(context.Background(), payload, header); !errors.Is(err, billing.ErrBadSignature) {
			t.Fatalf("header %q: %v", header, err)
		}
	}
	// A valid signature over another body does not cover this one.
	other := f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_Y", "sub_Y"))
	if _, err := f.stripe.HandleWebhook(context.Background(), payload, sign(other)); !errors.Is(err, billing.ErrBadSignature) {
		t.Fatalf("signature of another body: %v", err)
	}
	f.expectNothingStored()
}

// expectNothingStored checks that no delivery got as far as the database.
func (f *fixture) expectNothingStored() {
	f.t.Helper()
	var events, subs int
	if err := f.scalar(&events, `SELECT count(*) FROM stripe_events`); err != nil {
		f.t.Fatal(err)
	}
	if err := f.scalar(&subs, `SELECT count(*) FROM subscriptions`); err != nil {
		f.t.Fatal(err)
	}
	if events != 0 || subs != 0 {
		f.t.Fatalf("%d events, %d subscriptions stored", events, subs)
	}
}

// The signature's timestamp must be within the tolerance both ways: a
// delivery signed too far in the future is refused like a stale one, and
// nothing is stored; one a little ahead (clock skew) is accepted.
func TestSignatureTimestampToleranceAppliesBothWays(t *testing.T) {
	f := newFixture(t, "")
	tenant := f.tenant()
	payload := f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_T", "sub_T"))
	signedAt := func(at time.Time) string {
		return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: whsec, Timestamp: at}).Header
	}
	for name, at := range map[string]time.Time{
		"an hour ahead":     time.Now().Add(time.Hour),
		"six minutes ahead": time.Now().Add(webhook.DefaultTolerance + time.Minute),
		"six minutes old":   time.Now().Add(-webhook.DefaultTolerance - time.Minute),
	} {
		if _, err := f.stripe.HandleWebhook(context.Background(), payload, signedAt(at)); !errors.Is(err, billing.ErrBadSignature) {
			t.Errorf("signed %s: %v, want ErrBadSignature", name, err)
		}
	}
	f.expectNothingStored()
	if _, err := f.stripe.HandleWebhook(context.Background(), payload, signedAt(time.Now().Add(time.Minute))); err != nil {
		t.Fatalf("signed a minute ahead (clock skew): %v", err)
	}
}

// Tenant B sees none of A's billing, and A's customer cannot be claimed
// by B's checkout.
func TestBillingIsolation(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	a, b := f.tenant(), f.tenant()
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(a, "cus_A", "sub_A")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "premium", nil)))
	f.deliver(f.event("invoice.paid", invoice("in_A", "cus_A", "sub_A", "paid", 19900, 19900)))
	// A forged link of A's customer to B.
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(b, "cus_A", "sub_A")))
	if got := f.plan(b); got != "free" {
		t.Fatalf("B on %s", got)
	}
	if sub, err := f.svc.Subscription(ctx, b); err != nil || sub != nil {
		t.Fatalf("B subscription %+v, %v", sub, err)
	}
	if in, err := f.svc.Invoices(ctx, b, 10); err != nil || len(in) != 0 {
		t.Fatalf("B sees invoices %+v, %v", in, err)
	}
	if in, _ := f.svc.Invoices(ctx, a, 10); len(in) != 1 {
		t.Fatalf("A sees %d invoices", len(in))
	}
	if _, err := f.stripe.Portal(ctx, b, "http://x/billing", ownerOf(b)); !errors.Is(err, billing.ErrNoCustomer) {
		t.Fatalf("B portal: %v", err)
	}
}

// Invoices and subscriptions of a customer not linked yet wait for the
// checkout event.
func TestEventsBeforeLinkAreKept(t *testing.T) {
	f := newFixture(t, "")
	ctx := context.Background()
	tenant := f.tenant()
	checkout := f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_L", "sub_L"))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_L", "cus_L", "active", "premium", nil)))
	f.deliver(f.event("invoice.paid", invoice("in_L", "cus_L", "sub_L", "paid", 19900, 19900)))
	if in, _ := f.svc.Invoices(ctx, tenant, 10); len(in) != 0 {
		t.Fatal("invoice shown before link")
	}
	f.deliver(checkout)
	if got := f.plan(tenant); got != "premium" {
		t.Fatalf("plan %s", got)
	}
	if in, _ := f.svc.Invoices(ctx, tenant, 10); len(in) != 1 {
		t.Fatalf("%d invoices after link", len(in))
	}
}
