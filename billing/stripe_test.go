package billing_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"

	"mailvet/billing"
	"mailvet/billing/stripemock"
	"mailvet/db"
	"mailvet/db/dbtest"
)

const whsec = "whsec_test_mailvet"

// recorder counts and keeps the requests sent to Stripe.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	method, path string
	form         url.Values
	idempotency  string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := recorded{method: req.Method, path: req.URL.Path, idempotency: req.Header.Get("Idempotency-Key")}
	if req.Body != nil {
		body, _ := io.ReadAll(req.Body)
		req.Body.Close()
		rec.form, _ = url.ParseQuery(string(body))
		req.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) to(pathPart string) []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, q := range r.reqs {
		if strings.Contains(q.path, pathPart) {
			out = append(out, q)
		}
	}
	return out
}

type fixture struct {
	t      *testing.T
	d      *db.DB
	svc    *billing.Service
	stripe *billing.Stripe
	rec    *recorder
	clock  time.Time // created time of the next event
	n      int
}

// newFixture builds billing against a fresh database. apiBase "" points
// the API at a closed port: tests of webhooks need no API.
func newFixture(t *testing.T, apiBase string) *fixture {
	t.Helper()
	d := dbtest.New(t)
	if apiBase == "" {
		apiBase = "http://127.0.0.1:1"
	}
	f := &fixture{t: t, d: d, rec: &recorder{}, clock: time.Now().Add(-time.Hour).Truncate(time.Second)}
	f.svc = billing.NewService(d.SQL, nil, 7*24*time.Hour, func(p string) string { return "http://mailvet.test" + p })
	f.stripe = billing.NewStripe(d.SQL, f.svc, billing.StripeConfig{
		SecretKey: "sk_test_123", WebhookSecret: whsec, APIBase: apiBase,
		Prices:        map[string]string{"basic": "price_basic", "premium": "price_premium"},
		MeteredPrices: map[string]string{"basic": "price_basic_over", "premium": "price_premium_over"},
		HTTPClient:    &http.Client{Transport: f.rec, Timeout: 30 * time.Second},
	})
	return f
}

func (f *fixture) tenant() uuid.UUID {
	f.t.Helper()
	var id uuid.UUID
	if err := f.d.Pool.QueryRow(context.Background(), "INSERT INTO tenants (name, slug) VALUES ('T', $1) RETURNING id", "t-"+uuid.NewString()[:8]).Scan(&id); err != nil {
		f.t.Fatal(err)
	}
	return id
}

// event is a Stripe event as JSON; each gets a later created time than the
// one before, as Stripe's would.
func (f *fixture) event(typ string, obj map[string]any) []byte {
	f.n++
	f.clock = f.clock.Add(time.Second)
	b, err := json.Marshal(map[string]any{
		"id": "evt_" + uuid.NewString()[:12], "object": "event", "api_version": "2020-08-27", "created": f.clock.Unix(),
		"type": typ, "livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": obj},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func sign(payload []byte) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: whsec}).Header
}

func (f *fixture) deliver(payload []byte) billing.WebhookResult {
	f.t.Helper()
	res, err := f.stripe.HandleWebhook(context.Background(), payload, sign(payload))
	if err != nil {
		f.t.Fatalf("webhook %s: %v", payload, err)
	}
	return res
}

func checkoutCompleted(tenant uuid.UUID, customer, sub string) map[string]any {
	return map[string]any{"id": "cs_test_" + customer, "object": "checkout.session", "mode": "subscription",
		"client_reference_id": tenant.String(), "customer": customer, "subscription": sub, "status": "complete"}
}

// subscription is a subscription object with the plan's two prices.
func subscription(id, customer, status, plan string, metadata map[string]string) map[string]any {
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return map[string]any{
		"id": id, "object": "subscription", "customer": customer, "status": status, "metadata": metadata,
		"current_period_start": start.Unix(), "current_period_end": start.AddDate(0, 1, 0).Unix(),
		"items": map[string]any{"object": "list", "data": []any{
			map[string]any{"id": "si_" + plan + "_fee", "object": "subscription_item", "price": map[string]any{"id": "price_" + plan, "object": "price"}},
			map[string]any{"id": "si_" + plan + "_over", "object": "subscription_item", "price": map[string]any{"id": "price_" + plan + "_over", "object": "price"}},
		}},
	}
}

func invoice(id, customer, sub, status string, due, paid int64) map[string]any {
	return map[string]any{
		"id": id, "object": "invoice", "customer": customer, "subscription": sub, "status": status, "number": "MV-" + id,
		"amount_due": due, "amount_paid": paid, "currency": "usd", "created": time.Now().Unix(),
		"hosted_invoice_url": "https://invoice.stripe.com/i/" + id, "invoice_pdf": "https://pay.stripe.com/invoice/" + id + "/pdf",
		"period_start": time.Now().AddDate(0, -1, 0).Unix(), "period_end": time.Now().Unix(),
	}
}

// period is the fixture subscriptions' period as state shows it.
var period = func() string {
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start.Format("2006-01-02") + " " + start.AddDate(0, 1, 0).Format("2006-01-02")
}()

// state is what the webhooks decide about a tenant, for comparisons.
func (f *fixture) state(tenant uuid.UUID) string {
	f.t.Helper()
	var s string
	err := f.d.SQL.QueryRow(`SELECT concat_ws(' ', plan_id, status, stripe_customer_id, stripe_subscription_id, stripe_metered_item_id,
			current_period_start::date, current_period_end::date, past_due_since IS NOT NULL)
		FROM subscriptions WHERE tenant_id = $1`, tenant).Scan(&s)
	if err != nil {
		return "none: " + err.Error()
	}
	return s
}

func (f *fixture) plan(tenant uuid.UUID) string {
	f.t.Helper()
	p, err := f.svc.PlanFor(context.Background(), tenant)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.ID
}

func TestCheckoutAndPortalAgainstStripeMock(t *testing.T) {
	f := newFixture(t, stripemock.Start(t))
	ctx := context.Background()
	tenant := f.tenant()

	checkoutURL, err := f.stripe.Checkout(ctx, tenant, "basic", "owner@example.com", "http://mailvet.test/")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(checkoutURL, "https://") {
		t.Fatalf("checkout URL %q", checkoutURL)
	}
	sent := f.rec.to("/v1/checkout/sessions")
	if len(sent) != 1 {
		t.Fatalf("%d checkout requests", len(sent))
	}
	form := sent[0].form
	for k, want := range map[string]string{
		"mode":                                   "subscription",
		"client_reference_id":                    tenant.String(),
		"customer_email":                         "owner@example.com",
		"line_items[0][price]":                   "price_basic",
		"line_items[0][quantity]":                "1",
		"line_items[1][price]":                   "price_basic_over",
		"subscription_data[metadata][tenant_id]": tenant.String(),
		"success_url":                            "http://mailvet.test/billing?checkout=success",
		"cancel_url":                             "http://mailvet.test/billing?checkout=canceled",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if form.Has("line_items[1][quantity]") {
		t.Error("metered line item sent with a quantity")
	}
	if _, err := f.stripe.Checkout(ctx, tenant, "free", "", "http://mailvet.test"); !errors.Is(err, billing.ErrPlanNotForSale) {
		t.Fatalf("free plan checkout: %v", err)
	}
	if _, err := f.stripe.Portal(ctx, tenant, "http://mailvet.test/billing"); !errors.Is(err, billing.ErrNoCustomer) {
		t.Fatalf("portal without customer: %v", err)
	}

	// Once subscribed, the customer is reused, the portal opens and a
	// second checkout is refused (it would bill twice).
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_A", "sub_A")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "basic", nil)))
	portalURL, err := f.stripe.Portal(ctx, tenant, "http://mailvet.test/billing")
	if err != nil || portalURL == "" {
		t.Fatalf("portal: %q, %v", portalURL, err)
	}
	if got := f.rec.to("/v1/billing_portal/sessions")[0].form.Get("customer"); got != "cus_A" {
		t.Fatalf("portal for customer %q", got)
	}
	if _, err := f.stripe.Checkout(ctx, tenant, "premium", "", "http://mailvet.test"); !errors.Is(err, billing.ErrHasSubscription) {
		t.Fatalf("second checkout: %v", err)
	}
	f.deliver(f.event("customer.subscription.deleted", subscription("sub_A", "cus_A", "canceled", "basic", nil)))
	if _, err := f.stripe.Checkout(ctx, tenant, "premium", "", "http://mailvet.test"); err != nil {
		t.Fatal(err)
	}
	if got := f.rec.to("/v1/checkout/sessions")[1].form.Get("customer"); got != "cus_A" {
		t.Fatalf("returning customer not reused: customer=%q", got)
	}
}

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
	if err := f.d.SQL.QueryRow(`SELECT count(*) FROM stripe_pending_subscriptions`).Scan(&pending); err != nil || pending != 0 {
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
	_ = f.d.SQL.QueryRow(`SELECT past_due_since FROM subscriptions WHERE tenant_id = $1`, tenant).Scan(&since1)
	f.deliver(f.event("invoice.payment_failed", invoice("in_1", "cus_P", "sub_P", "open", 4900, 0)))
	_ = f.d.SQL.QueryRow(`SELECT past_due_since FROM subscriptions WHERE tenant_id = $1`, tenant).Scan(&since2)
	if !since1.Equal(since2) {
		t.Fatalf("past_due_since moved from %v to %v", since1, since2)
	}

	if _, err := f.d.SQL.Exec(`UPDATE subscriptions SET past_due_since = now() - interval '8 days' WHERE tenant_id = $1`, tenant); err != nil {
		t.Fatal(err)
	}
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
	var events, subs int
	_ = f.d.SQL.QueryRow(`SELECT (SELECT count(*) FROM stripe_events), (SELECT count(*) FROM subscriptions)`).Scan(&events, &subs)
	if events != 0 || subs != 0 {
		t.Fatalf("%d events, %d subscriptions stored", events, subs)
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
	if _, err := f.stripe.Portal(ctx, b, "http://x/billing"); !errors.Is(err, billing.ErrNoCustomer) {
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

func TestReportUsageOncePerChange(t *testing.T) {
	f := newFixture(t, stripemock.Start(t))
	ctx := context.Background()
	paid, free, quiet := f.tenant(), f.tenant(), f.tenant()
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(paid, "cus_U", "sub_U")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_U", "cus_U", "active", "basic", nil)))
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(quiet, "cus_Q", "sub_Q")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_Q", "cus_Q", "active", "basic", nil)))
	month := time.Now().UTC()
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	setUsage := func(tenant uuid.UUID, used int) {
		t.Helper()
		if _, err := f.d.SQL.Exec(`INSERT INTO quota_usage (tenant_id, day, day_used, month, month_used) VALUES ($1, now()::date, 0, $2, $3)
			ON CONFLICT (tenant_id) DO UPDATE SET month = EXCLUDED.month, month_used = EXCLUDED.month_used`, tenant, month, used); err != nil {
			t.Fatal(err)
		}
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
	svc := billing.NewService(d.SQL, nil, 0, func(p string) string { return p })
	off := billing.NewStripe(d.SQL, svc, billing.StripeConfig{WebhookSecret: whsec})
	var nilStripe *billing.Stripe
	if off.Enabled() || nilStripe.Enabled() || off.ForSale("basic") {
		t.Fatal("enabled without a key")
	}
	if rep, err := off.ReportUsage(ctx); err != nil || rep != (billing.UsageReport{}) {
		t.Fatalf("report: %+v, %v", rep, err)
	}
	if _, err := off.Checkout(ctx, uuid.New(), "basic", "", "http://x"); !errors.Is(err, billing.ErrBillingOff) {
		t.Fatalf("checkout: %v", err)
	}
	if _, err := off.Portal(ctx, uuid.New(), "http://x"); !errors.Is(err, billing.ErrBillingOff) {
		t.Fatalf("portal: %v", err)
	}
	payload := []byte(`{"id":"evt_1","object":"event","type":"invoice.paid","created":1,"data":{"object":{}}}`)
	if _, err := off.HandleWebhook(ctx, payload, sign(payload)); !errors.Is(err, billing.ErrBillingOff) {
		t.Fatalf("webhook: %v", err)
	}
}

func TestEstimate(t *testing.T) {
	basic := billing.Plan{PriceCents: 4900, OverageCentsPer1000: 300, MonthlyIncluded: 50_000}
	for used, want := range map[int]int{0: 4900, 50_000: 4900, 51_000: 5200, 50_001: 4901, 60_500: 4900 + 3150} {
		if got := billing.Estimate(basic, used); got != want {
			t.Errorf("Estimate(%d) = %d, want %d", used, got, want)
		}
	}
}
