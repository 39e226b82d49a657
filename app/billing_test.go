package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76/webhook"

	"mailvet/billing"
	"mailvet/billing/stripemock"
	"mailvet/db"
)

const testWebhookSecret = "whsec_app_test"

// newTestStripe is billing as the harness wires it: off without apiBase,
// else against that stripe-mock with test prices.
func newTestStripe(d *db.DB, svc *billing.Service, apiBase string) *billing.Stripe {
	if apiBase == "" {
		return billing.NewStripe(d, svc, billing.StripeConfig{})
	}
	return billing.NewStripe(d, svc, billing.StripeConfig{
		SecretKey: "sk_test_123", WebhookSecret: testWebhookSecret, APIBase: apiBase,
		Prices:        map[string]string{"basic": "price_basic", "premium": "price_premium"},
		MeteredPrices: map[string]string{"basic": "price_basic_over", "premium": "price_premium_over"},
	})
}

// stripeEvents builds signed Stripe webhook deliveries, each created a
// second after the one before.
type stripeEvents struct {
	t     *testing.T
	clock time.Time
}

func newStripeEvents(t *testing.T) *stripeEvents {
	return &stripeEvents{t: t, clock: time.Now().Add(-time.Hour).Truncate(time.Second)}
}

func (e *stripeEvents) event(typ string, obj map[string]any) []byte {
	e.clock = e.clock.Add(time.Second)
	b, err := json.Marshal(map[string]any{"id": "evt_" + uuid.NewString()[:12], "object": "event", "api_version": "2020-08-27",
		"created": e.clock.Unix(), "type": typ, "data": map[string]any{"object": obj}})
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func (e *stripeEvents) checkout(tenant, customer, sub string) []byte {
	return e.event("checkout.session.completed", map[string]any{"id": "cs_" + customer, "object": "checkout.session",
		"mode": "subscription", "client_reference_id": tenant, "customer": customer, "subscription": sub})
}

func (e *stripeEvents) subscription(typ, id, customer, status, plan string) []byte {
	start := time.Now().UTC().AddDate(0, 0, -3).Truncate(24 * time.Hour)
	return e.event(typ, map[string]any{"id": id, "object": "subscription", "customer": customer, "status": status,
		"current_period_start": start.Unix(), "current_period_end": start.AddDate(0, 1, 0).Unix(),
		"items": map[string]any{"object": "list", "data": []any{
			map[string]any{"id": "si_fee", "price": map[string]any{"id": "price_" + plan}},
			map[string]any{"id": "si_over", "price": map[string]any{"id": "price_" + plan + "_over"}},
		}}})
}

func (e *stripeEvents) invoice(typ, id, customer, sub, status string, amount int64) []byte {
	paid := int64(0)
	if status == "paid" {
		paid = amount
	}
	return e.event(typ, map[string]any{"id": id, "object": "invoice", "customer": customer, "subscription": sub,
		"status": status, "number": "NR-" + id, "amount_due": amount, "amount_paid": paid, "currency": "usd",
		"created": e.clock.Unix(), "hosted_invoice_url": "https://invoice.stripe.com/i/" + id,
		"invoice_pdf": "https://pay.stripe.com/invoice/" + id + "/pdf"})
}

// webhook posts a delivery as Stripe does: no cookies, no Origin.
func (h *harness) webhook(payload []byte, signature string, headers ...string) response {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+"/stripe/webhook", strings.NewReader(string(payload)))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Stripe-Signature", signature)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return h.browser().do(req)
}

func (h *harness) signedWebhook(payload []byte) response {
	h.t.Helper()
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: testWebhookSecret}).Header
	return h.webhook(payload, sig)
}

func tenantIDByName(t *testing.T, h *harness, name string) string {
	t.Helper()
	var id string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM tenants WHERE name = $1", name).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestBillingCheckoutRedirectsToStripe(t *testing.T) {
	h := newHarness(t, harnessOptions{stripeAPIBase: stripemock.Start(t)})
	owner := h.signUp("Acme", "ann@acme.test")

	expect(t, owner.get("/dashboard"), http.StatusOK, `href="/billing"`)
	expect(t, owner.get("/billing"), http.StatusOK, `<span id="current-plan">Free</span>`, "Choose Basic", "Choose Premium",
		"$49.00 / month", "$3.00 per 1,000", "No invoices yet")
	res := owner.post("/billing/checkout", url.Values{"plan": {"basic"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "https://checkout.stripe.com/") {
		t.Fatalf("checkout: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), abbreviate(res.body))
	}
	expect(t, owner.post("/billing/checkout", url.Values{"plan": {"free"}}), http.StatusUnprocessableEntity, "cannot be bought")
	expectRedirect(t, owner.post("/billing/portal", nil), "/billing")
	expect(t, owner.get("/billing"), http.StatusOK, "no billing account yet")
	expect(t, owner.get("/billing?checkout=success"), http.StatusOK, "Thank you")

	// Members see the page read-only.
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	mia := h.browser()
	expectRedirect(t, mia.post(h.mailedLink("mia@acme.test", "invited"), url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	page := mia.get("/billing")
	expect(t, page, http.StatusOK, "Only owners and admins", "Current plan")
	if strings.Contains(page.body, "Choose Basic") || strings.Contains(page.body, "Manage billing") {
		t.Fatal("member sees billing actions")
	}
	expect(t, mia.post("/billing/checkout", url.Values{"plan": {"basic"}}), http.StatusForbidden)
	expect(t, mia.post("/billing/portal", nil), http.StatusForbidden)
}

func TestStripeWebhooksDriveTheBillingPage(t *testing.T) {
	h := newHarness(t, harnessOptions{stripeAPIBase: stripemock.Start(t)})
	ev := newStripeEvents(t)
	owner := h.signUp("Acme", "ann@acme.test")
	other := h.signUp("Bobco", "bob@bob.test")
	tenant := tenantIDByName(t, h, "Acme")

	checkout := ev.checkout(tenant, "cus_acme", "sub_acme")
	expect(t, h.signedWebhook(checkout), http.StatusOK, `"received":true`)
	// Stripe sends no Origin; even a cross-site-looking delivery passes
	// CSRF protection (the signature authenticates it).
	updated := ev.subscription("customer.subscription.updated", "sub_acme", "cus_acme", "active", "basic")
	sig := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: updated, Secret: testWebhookSecret}).Header
	expect(t, h.webhook(updated, sig, "Origin", "https://stripe.example", "Sec-Fetch-Site", "cross-site"), http.StatusOK)
	expect(t, h.signedWebhook(checkout), http.StatusOK, `"duplicate":true`)

	expect(t, owner.get("/billing"), http.StatusOK, `<span id="current-plan">Basic</span>`, "Manage billing", `<dd id="billing-status">Active</dd>`,
		`<dd id="estimate">$49.00</dd>`)
	res := owner.post("/billing/portal", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "https://") {
		t.Fatalf("portal: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	// Choosing another plan with a running subscription goes to the portal.
	if res := owner.post("/billing/checkout", url.Values{"plan": {"premium"}}); res.StatusCode != http.StatusSeeOther ||
		strings.Contains(res.Header.Get("Location"), "checkout.stripe.com") {
		t.Fatalf("plan change: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	// A failed payment: banner, plan kept during the grace period.
	expect(t, h.signedWebhook(ev.invoice("invoice.payment_failed", "in_1", "cus_acme", "sub_acme", "open", 4900)), http.StatusOK)
	expect(t, owner.get("/billing"), http.StatusOK, `id="billing-notice"`, "Your last payment failed", `<span id="current-plan">Basic</span>`, "Past due")
	expect(t, owner.get("/dashboard"), http.StatusOK, `id="billing-notice"`, "Your last payment failed") // on every page
	if _, err := h.sys.Exec(t.Context(), `UPDATE subscriptions SET past_due_since = now() - interval '8 days' WHERE tenant_id = $1`, tenant); err != nil {
		t.Fatal(err)
	}
	h.bill.ForgetPlan(uuid.MustParse(tenant))
	expect(t, owner.get("/billing"), http.StatusOK, `<span id="current-plan">Free</span>`, "on the Free plan", "Subscribed plan")

	// Paid: the banner goes, the plan and the invoice are back.
	expect(t, h.signedWebhook(ev.invoice("invoice.paid", "in_1", "cus_acme", "sub_acme", "paid", 4900)), http.StatusOK)
	page := owner.get("/billing")
	expect(t, page, http.StatusOK, `<span id="current-plan">Basic</span>`, "NR-in_1", "49.00 USD",
		`href="https://invoice.stripe.com/i/in_1"`, `href="https://pay.stripe.com/invoice/in_1/pdf"`)
	if strings.Contains(page.body, `id="billing-notice"`) {
		t.Fatal("banner still shown after payment")
	}

	// A bad signature: 400 and nothing changes.
	var before int
	_ = h.sys.QueryRow(t.Context(), `SELECT count(*) FROM stripe_events`).Scan(&before)
	deleted := ev.subscription("customer.subscription.deleted", "sub_acme", "cus_acme", "canceled", "basic")
	forged := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: deleted, Secret: "whsec_forged"}).Header
	expect(t, h.webhook(deleted, forged), http.StatusBadRequest, "invalid_signature")
	expect(t, h.webhook(deleted, ""), http.StatusBadRequest, "invalid_signature")
	var after int
	_ = h.sys.QueryRow(t.Context(), `SELECT count(*) FROM stripe_events`).Scan(&after)
	if after != before {
		t.Fatalf("events %d → %d after bad signatures", before, after)
	}
	expect(t, owner.get("/billing"), http.StatusOK, `<span id="current-plan">Basic</span>`)
	big := make([]byte, 2<<20)
	expect(t, h.webhook(big, "t=1,v1=00"), http.StatusRequestEntityTooLarge)

	// Another tenant sees none of it.
	page = other.get("/billing")
	expect(t, page, http.StatusOK, `<span id="current-plan">Free</span>`, "No invoices yet")
	if strings.Contains(page.body, "NR-in_1") || strings.Contains(page.body, "Manage billing") || strings.Contains(page.body, "billing-notice") {
		t.Fatal("tenant B sees tenant A's billing")
	}
	expectRedirect(t, other.post("/billing/portal", nil), "/billing")

	// Cancelled: back to free.
	expect(t, h.signedWebhook(deleted), http.StatusOK)
	expect(t, owner.get("/billing"), http.StatusOK, `<span id="current-plan">Free</span>`, "Choose Basic")
}

func TestBillingOff(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	page := owner.get("/billing")
	expect(t, page, http.StatusOK, "Billing is not configured on this server", `<span id="current-plan">Free</span>`, "No invoices yet")
	if strings.Contains(page.body, "Choose ") || strings.Contains(page.body, "Manage billing") {
		t.Fatal("billing actions offered while billing is off")
	}
	expectRedirect(t, owner.post("/billing/checkout", url.Values{"plan": {"basic"}}), "/billing")
	expect(t, owner.get("/billing"), http.StatusOK, "Billing is not configured on this server.")
	expectRedirect(t, owner.post("/billing/portal", nil), "/billing")
	expect(t, h.webhook([]byte(`{}`), "t=1,v1=00"), http.StatusServiceUnavailable, "billing_disabled")
}
