package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The rules page in a real browser: add a rule, then the HTMX tester swaps
// its box in place with the rule that fires.
func TestBrowserRulesTester(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	ctx := newBrowser(t)
	run := browserSteps{t: t, ctx: ctx}.run
	// The browser takes over the session signed up through the harness.
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}

	run(
		chromedp.Navigate(h.srv.URL+"/rules"),
		chromedp.WaitVisible(`#rule-form input[name="pattern"]`),
		chromedp.SetValue(`#rule-form select[name="kind"]`, "wildcard"),
		chromedp.SendKeys(`#rule-form input[name="pattern"]`, "*.spam.test"),
		chromedp.SendKeys(`#rule-form input[name="note"]`, "bulk senders"),
		chromedp.Submit(`#rule-form input[name="pattern"]`),
		chromedp.WaitVisible(`//td[contains(., "*.spam.test")]`),
		chromedp.SendKeys(`#rule-test input[name="email"]`, "x@mx.spam.test"),
		chromedp.Click(`#rule-test button[type="submit"]`),
		chromedp.WaitVisible(`#rule-test-result`),
	)
	text, err := chromedp.Run(ctx, chromedp.Text(`#rule-test-result`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Blocked by your rule: wildcard *.spam.test") || !strings.Contains(text, "bulk senders") {
		t.Fatalf("tester says %q", text)
	}
	// Swapped in place: still one tester, on the same page.
	html, err := chromedp.Run(ctx, chromedp.OuterHTML("html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(html, `id="rule-test"`) != 1 || !strings.Contains(html, "Which rule wins") {
		t.Fatal("the tester did not swap its box in place")
	}
}
