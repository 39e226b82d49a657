package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The dashboard's first call is two commands on two lines, in a <pre>,
// with a copy button that names it; copy.js is served and loaded.
func TestDashboardFirstCallOnSeparateLines(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	page := owner.get("/dashboard")
	expect(t, page, http.StatusOK, `<pre class="code"><code id="first-call-code">`,
		`data-copy-target="first-call-code"`, `<script src="/static/copy.js" defer></script>`)
	start := strings.Index(page.body, `id="first-call-code">`)
	code := page.body[start+len(`id="first-call-code">`):]
	code = code[:strings.Index(code, "</code>")]
	lines := strings.Split(code, "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "curl ") || !strings.HasSuffix(lines[0], "/v1/me") ||
		!strings.HasPrefix(lines[1], "curl ") || !strings.HasSuffix(lines[1], "/v1/verify") {
		t.Fatalf("first call is not two commands on two lines: %q", code)
	}
	expect(t, h.browser().get("/static/copy.js"), http.StatusOK, "data-copy-target", "addEventListener")
}

// Clicking the dashboard's copy button runs copy.js (the button says so)
// and the Content-Security-Policy blocks nothing (newBrowser fails on it).
func TestBrowserDashboardCopyButton(t *testing.T) {
	h := newHarness(t)
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	base := h.srv.URL
	run(
		chromedp.Navigate(base+"/signup"),
		chromedp.SendKeys(`input[name="company"]`, "Acme Copy"),
		chromedp.SendKeys(`input[name="name"]`, "Ann"),
		chromedp.SendKeys(`input[name="email"]`, "ann@acme.test"),
		chromedp.SendKeys(`input[name="password"]`, password),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`#first-call-code`),
		chromedp.Click(`button[data-copy-target="first-call-code"]`),
	)
	got := ""
	for range 50 {
		if got = strings.TrimSpace(read(chromedp.Text(`button[data-copy-target="first-call-code"]`))); got != "Copy commands" {
			break
		}
		sleep(100)
	}
	if got != "Copied" && got != "Press Ctrl+C to copy" {
		t.Fatalf("copy button says %q", got)
	}
}
