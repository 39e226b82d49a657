package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A person signs up and logs in through the pages, creates a key, makes
// some verifications (API and dashboard), opens Usage from the navigation
// and finds the chart's bars, its accessible title, the data table and the
// key's row; switching to weekly periods keeps the bars.
func TestBrowserUsageChart(t *testing.T) {
	h := newHarness(t)
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read, fail := steps.run, steps.read, steps.fail
	base := h.srv.URL

	run(
		chromedp.Navigate(base+"/signup"),
		chromedp.SendKeys(`input[name="company"]`, "Acme Usage"),
		chromedp.SendKeys(`input[name="name"]`, "Ann"),
		chromedp.SendKeys(`input[name="email"]`, "ann@acme.test"),
		chromedp.SendKeys(`input[name="password"]`, password),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`nav a[href="/usage"]`),
	)
	run(chromedp.Navigate(base + h.mailedLink("ann@acme.test", "Verify")))
	run(signOutAndLogIn(base, "ann@acme.test")...)
	run(chromedp.WaitVisible(`nav a[href="/usage"]`))
	run(
		chromedp.Navigate(base+"/keys"),
		chromedp.WaitVisible(`#key-form input[name="name"]`),
		chromedp.SendKeys(`#key-form input[name="name"]`, "Checkout"),
		// A live key: the chart needs the engine's verdicts (new keys
		// default to Test mode).
		chromedp.Click(`label[for="mode-live"]`),
		chromedp.Click(`#key-form button[type="submit"]`),
		chromedp.WaitVisible(`#new-key-secret`),
	)
	secret := strings.TrimSpace(read(chromedp.Text(`#new-key-secret`)))
	api := h.browser()
	for _, email := range []string{"ann@shop.test", "bob@shop.test", "nobody@shop.test", "x@catchall.test", "ann@shop.test"} {
		decodeVerification(t, api.apiJSON("POST", "/v1/verify", secret, `{"email":"`+email+`"}`))
	}
	// One more from the dashboard's box.
	run(
		chromedp.Navigate(base+"/dashboard"),
		chromedp.SendKeys(`#verify-box input[name="email"]`, "someone@shop.test"),
		chromedp.Click(`#verify-box button[type="submit"]`),
		chromedp.WaitVisible(`#verify-result`),
	)

	run(
		chromedp.Click(`nav a[href="/usage"]`),
		chromedp.WaitVisible(`svg.chart rect.bar`),
	)
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect.bar").length`))
	if err != nil {
		fail(err)
	}
	if bars < 3 { // today's column: deliverable, risky, undeliverable
		t.Fatalf("%d bars", bars)
	}
	if title := read(chromedp.TextContent(`svg.chart > title`)); title != "Verifications per day" {
		t.Fatalf("chart title %q", title)
	}
	if total := read(chromedp.Text(`#usage-total`)); total != "6" {
		t.Fatalf("total %q, want 6", total)
	}
	keys := read(chromedp.Text(`#usage-keys`))
	if !strings.Contains(keys, "Checkout") || !strings.Contains(keys, "Without a key") {
		t.Fatalf("keys table: %s", keys)
	}
	if sources := read(chromedp.Text(`#usage-sources`)); !strings.Contains(sources, "Dashboard") {
		t.Fatalf("sources: %s", sources)
	}
	// The numbers are in a table for anyone who cannot see the chart.
	run(
		chromedp.Click(`details.chart-data summary`),
		chromedp.WaitVisible(`#usage-table`),
	)
	run(
		chromedp.Click(`nav[aria-label="Granularity"] a[href*="granularity=week"]`),
		chromedp.WaitVisible(`//h2[@id="chart-heading"][contains(., "per week")]`),
		chromedp.WaitVisible(`svg.chart rect.bar`),
	)
}
