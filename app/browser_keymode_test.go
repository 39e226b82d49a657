package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The create-key form starts on Test mode, as the dashboard advises: a
// key made without touching the mode is a test key, and the fresh form
// that comes back is on Test again.
func TestBrowserNewKeyDefaultsToTestMode(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}
	checked := func() string {
		return read(chromedp.Evaluate[string](`[...document.querySelectorAll('#key-form input[name="mode"]:checked')].map(i => i.value).join(",")`))
	}
	run(chromedp.Navigate(h.srv.URL+"/keys"), chromedp.WaitVisible(`#key-form input[name="name"]`))
	if got := checked(); got != "test" {
		t.Fatalf("the form starts with mode %q checked, want test", got)
	}
	run(
		chromedp.SendKeys(`#key-form input[name="name"]`, "Dev key"),
		chromedp.Click(`#key-form button[type="submit"]`),
		chromedp.WaitVisible(`#new-key-secret`),
		chromedp.WaitVisible(`//tbody[@id="keys-body"]//tr[contains(., "Dev key")]//span[contains(@class, "badge-test")]`),
	)
	if secret := strings.TrimSpace(read(chromedp.Text(`#new-key-secret`))); !strings.HasPrefix(secret, "mv_test_") {
		t.Fatalf("the key made with the default mode is %q, want a test key", secret)
	}
	if got := checked(); got != "test" {
		t.Fatalf("the fresh form has mode %q checked, want test", got)
	}
	// Choosing Live still makes a live key.
	run(
		chromedp.SendKeys(`#key-form input[name="name"]`, "Prod key"),
		chromedp.Click(`label[for="mode-live"]`),
		chromedp.Click(`#key-form button[type="submit"]`),
		chromedp.WaitVisible(`//tbody[@id="keys-body"]//tr[contains(., "Prod key")]//span[contains(@class, "badge-live")]`),
	)
	if secret := strings.TrimSpace(read(chromedp.Text(`#new-key-secret`))); !strings.HasPrefix(secret, "mv_live_") {
		t.Fatalf("the key made with Live chosen is %q", secret)
	}
}
