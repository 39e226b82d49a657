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

	"mailvet/actor"
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
	f.svc = billing.NewService(d, nil, 7*24*time.Hour, func(p string) string { return "http://mailvet.test" + p })
	f.stripe = billing.NewStripe(d, f.svc, billing.StripeConfig{
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
	seed(f.t, f.d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO tenants (name, slug) VALUES ('T', ?) RETURNING id", "t-"+uuid.NewString()[:8]).Scan(&id)
	})
	return id
}

// scalar reads one value on the system path (a check across tenants).
func (f *fixture) scalar(dest any, query string, args ...any) error {
	return f.d.Tx(context.Background(), db.System("test: read billing state"), func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, query, args...).Scan(dest)
	})
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
	err := f.scalar(&s, `SELECT concat_ws(' ', plan_id, status, stripe_customer_id, stripe_subscription_id, stripe_metered_item_id,
			current_period_start::date, current_period_end::date, past_due_since IS NOT NULL)
		FROM subscriptions WHERE tenant_id = ?`, tenant)
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

	checkoutURL, err := f.stripe.Checkout(ctx, tenant, "basic", "owner@example.com", "http://mailvet.test/", ownerOf(tenant))
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
	if _, err := f.stripe.Checkout(ctx, tenant, "free", "", "http://mailvet.test", ownerOf(tenant)); !errors.Is(err, billing.ErrPlanNotForSale) {
		t.Fatalf("free plan checkout: %v", err)
	}
	if _, err := f.stripe.Portal(ctx, tenant, "http://mailvet.test/billing", ownerOf(tenant)); !errors.Is(err, billing.ErrNoCustomer) {
		t.Fatalf("portal without customer: %v", err)
	}

	// Once subscribed, the customer is reused, the portal opens and a
	// second checkout is refused (it would bill twice).
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_A", "sub_A")))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "basic", nil)))
	portalURL, err := f.stripe.Portal(ctx, tenant, "http://mailvet.test/billing", ownerOf(tenant))
	if err != nil || portalURL == "" {
		t.Fatalf("portal: %q, %v", portalURL, err)
	}
	if got := f.rec.to("/v1/billing_portal/sessions")[0].form.Get("customer"); got != "cus_A" {
		t.Fatalf("portal for customer %q", got)
	}
	if _, err := f.stripe.Checkout(ctx, tenant, "premium", "", "http://mailvet.test", ownerOf(tenant)); !errors.Is(err, billing.ErrHasSubscription) {
		t.Fatalf("second checkout: %v", err)
	}
	f.deliver(f.event("customer.subscription.deleted", subscription("sub_A", "cus_A", "canceled", "basic", nil)))
	if _, err := f.stripe.Checkout(ctx, tenant, "premium", "", "http://mailvet.test", ownerOf(tenant)); err != nil {
		t.Fatal(err)
	}
	if got := f.rec.to("/v1/checkout/sessions")[1].form.Get("customer"); got != "cus_A" {
		t.Fatalf("returning customer not reused: customer=%q", got)
	}
}

// ownerOf is an owner acting in tenant.
func ownerOf(tenant uuid.UUID) actor.Actor {
	return actor.User(uuid.New(), "owner@example.com", actor.RoleOwner).In(tenant)
}

// Checkout and portal move the workspace's money: a member is refused,
// another tenant's admin or key finds nothing, and Stripe is never asked.
func TestCheckoutAndPortalNeedAnAdminOfTheTenant(t *testing.T) {
	f := newFixture(t, stripemock.Start(t))
	ctx := context.Background()
	a, b := f.tenant(), f.tenant()
	member := actor.User(uuid.New(), "mia@example.com", actor.RoleMember).In(a)
	for _, c := range []struct {
		name string
		by   actor.Actor
		want error
	}{
		{"member", member, actor.ErrForbidden},
		{"other tenant's owner", ownerOf(b), billing.ErrNotFound},
		{"other tenant's key", actor.APIKey(uuid.New(), false).In(b), billing.ErrNotFound},
		{"no actor", actor.Actor{}, actor.ErrForbidden},
	} {
		if _, err := f.stripe.Checkout(ctx, a, "basic", "", "http://mailvet.test", c.by); !errors.Is(err, c.want) {
			t.Errorf("%s: checkout = %v, want %v", c.name, err, c.want)
		}
		if _, err := f.stripe.Portal(ctx, a, "http://mailvet.test/billing", c.by); !errors.Is(err, c.want) {
			t.Errorf("%s: portal = %v, want %v", c.name, err, c.want)
		}
	}
	if n := len(f.rec.to("/v1/checkout/sessions")) + len(f.rec.to("/v1/billing_portal/sessions")); n != 0 {
		t.Fatalf("%d Stripe requests for refused actors", n)
	}
}
