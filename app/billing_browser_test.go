package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mailvet/billing/stripemock"
)

// The billing page in a real browser: the owner clicks "Choose Basic",
// the app creates a Checkout Session (stripe-mock) and the browser lands on
// Stripe's checkout page; back on the success page, Stripe's webhooks turn
// the workspace into a Basic subscriber and the page says so.
//
// Stripe's hosted page is outside the machine, so the browser's requests to
// checkout.stripe.com are answered by a stand-in page; the test proves the
// browser was sent there with a real session URL.
func TestBrowserBillingStartsCheckout(t *testing.T) {
	h := newHarness(t, harnessOptions{stripeAPIBase: stripemock.Start(t)})
	owner := h.signUp("Acme Billing", "ann@acme.test")
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read, fail := steps.run, steps.read, steps.fail
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		fail(err)
	}

	stripeRequests := make(chan string, 4)
	if err := chromedp.Listen(ctx, func(ev any) {
		paused, ok := ev.(*fetch.EventRequestPaused)
		if !ok {
			return
		}
		stripeRequests <- paused.Request.URL
		go func() {
			body := []byte(`<!doctype html><title>Stripe Checkout</title><h1 id="stand-in">Stripe Checkout (stand-in)</h1>`)
			_, _ = chromedp.Call(ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID: paused.RequestID, ResponseCode: http.StatusOK,
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html"}},
				Body:            body, // sent base64-encoded, as the protocol wants,
			})
		}()
	}); err != nil {
		fail(err)
	}
	if _, err := chromedp.Call(ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "https://checkout.stripe.com/*"}}}); err != nil {
		fail(err)
	}

	// No nav link lies under the account controls, at any common width
	// (a link under "Sign out" once signed people out).
	run(chromedp.Navigate(h.srv.URL + "/dashboard"))
	for _, width := range []int64{1280, 800, 390} {
		run(chromedp.EmulateViewport(width, 700))
		overlaps := read(chromedp.Evaluate[string](`(() => {
			const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
			const controls = [...document.querySelectorAll(".topbar-end button, .topbar-end .tenant-name, .topbar-end select, .brand")];
			return [...document.querySelectorAll(".mainnav a")]
				.filter(a => controls.some(c => hit(a.getBoundingClientRect(), c.getBoundingClientRect())))
				.map(a => a.textContent.trim()).join(", ");
		})()`))
		if overlaps != "" {
			t.Errorf("at %dpx the nav links %s overlap the header's controls", width, overlaps)
		}
	}
	run(chromedp.EmulateViewport(800, 600))
	run(
		chromedp.Navigate(h.srv.URL+"/dashboard"),
		chromedp.Click(`nav a[href="/billing"]`),
		chromedp.WaitVisible(`#current-plan`),
	)
	if plan := read(chromedp.Text(`#current-plan`)); plan != "Free" {
		t.Fatalf("current plan %q", plan)
	}
	run(
		chromedp.Click(`//button[normalize-space(.)="Choose Basic"]`),
		chromedp.WaitVisible(`#stand-in`),
	)
	landed := <-stripeRequests
	if !strings.HasPrefix(landed, "https://checkout.stripe.com/") {
		t.Fatalf("checkout went to %q", landed)
	}
	if loc := read(chromedp.Location()); loc != landed {
		t.Fatalf("browser at %q, want the checkout session's URL %q", loc, landed)
	}

	// Stripe sends the customer back, then confirms by webhook.
	run(
		chromedp.Navigate(h.srv.URL+"/billing?checkout=success"),
		chromedp.WaitVisible(`//div[contains(@class, "flash")][contains(., "Thank you")]`),
	)
	tenant := tenantIDByName(t, h, "Acme Billing")
	ev := newStripeEvents(t)
	expect(t, h.signedWebhook(ev.checkout(tenant, "cus_browser", "sub_browser")), http.StatusOK)
	expect(t, h.signedWebhook(ev.subscription("customer.subscription.created", "sub_browser", "cus_browser", "active", "basic")), http.StatusOK)
	run(
		chromedp.Reload(),
		chromedp.WaitVisible(`#current-plan`),
	)
	if plan := read(chromedp.Text(`#current-plan`)); plan != "Basic" {
		t.Fatalf("after checkout the plan is %q", plan)
	}
}
