package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mailvet/usage"
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

// The dashboard's "Verifications (30 days)" is the usage page's default
// figure: every source (API, dashboard, lists) over the same 30 UTC days,
// formatted alike; a day before the range counts on neither.
func TestDashboardAndUsageShowOneVerificationsFigure(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	decodeVerification(t, h.browser().apiJSON("POST", "/v1/verify", key, `{"email":"ann@shop.test"}`))
	expect(t, owner.post("/verify", url.Values{"email": {"bob@shop.test"}}), http.StatusOK)
	var tenant string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM tenants WHERE name = 'Acme'").Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	// An uploaded list's rollup 3 days ago and one just outside the range.
	for _, row := range []struct {
		daysAgo, deliverable, cacheHits, billable int
	}{{3, 1200, 200, 1000}, {30, 5000, 0, 5000}} {
		if _, err := h.sys.Exec(t.Context(), `INSERT INTO usage_daily (`+usage.Columns+`)
			VALUES ($1, (now() AT TIME ZONE 'UTC')::date - $2::int, '00000000-0000-0000-0000-000000000000', 'list', 0, $3, 0, 0, 0, $4, $5)`,
			tenant, row.daysAgo, row.deliverable, row.cacheHits, row.billable); err != nil {
			t.Fatal(err)
		}
	}
	const want = "1,202" // 1,200 from the list, one API call, one from the dashboard
	dash := owner.get("/dashboard")
	expect(t, dash, http.StatusOK, `<span class="stat-value">`+want+`</span> <span class="stat-label">Verifications (30 days)</span>`,
		"API, dashboard and lists", `<span class="stat-value">200</span> <span class="stat-label">Cache hits</span>`)
	page := owner.get("/usage")
	expect(t, page, http.StatusOK, `id="usage-total">`+want+`<`, "API, dashboard and lists", `id="usage-used-billable"`)
	if strings.Contains(dash.body, "6,202") || strings.Contains(page.body, "6,202") {
		t.Fatal("the day before the range is counted")
	}
}
