package app_test

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The performance and alert pages fit a laptop and a phone, with figures
// in them; deleting a rule asks first and, accepted, deletes it.
func TestBrowserPerformanceAndAlertsFitAndConfirm(t *testing.T) {
	h := newHarness(t)
	admin := h.platformAdmin("ops@mailvet.test")
	for _, q := range []string{
		`INSERT INTO request_logs (id, tenant_id, created_at, method, route, path, status, duration_us, request_id)
			SELECT gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), now() - g * interval '20 seconds', 'GET', 'GET /v1/lists/{id}/results', '/v1/lists/x/results',
				CASE WHEN g % 7 = 0 THEN 503 WHEN g % 5 = 0 THEN 404 ELSE 200 END, g * 917, 'req-' || g FROM generate_series(1, 150) g`,
		`INSERT INTO verifications (tenant_id, email, normalized, status, reason, score, duration_ms, created_at)
			SELECT (SELECT id FROM tenants LIMIT 1), 'a@b.test', 'a@b.test', (array['deliverable', 'risky', 'undeliverable', 'unknown'])[1 + g % 4],
				'accepted_email', 90, 5, now() - g * interval '30 seconds' FROM generate_series(1, 100) g`,
		`INSERT INTO slow_queries (template, duration_us, label) VALUES ('SELECT l.id, l.name, l.status, l.total, l.checked FROM lists l JOIN list_rows r ON r.list_id = l.id WHERE l.tenant_id = $1 AND r.normalized = ? ORDER BY l.created_at DESC LIMIT ?', 1312000, 'GET /v1/lists/{id}/results')`,
	} {
		if _, err := h.sys.Exec(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	var ruleID string
	if err := h.sys.QueryRow(t.Context(), `SELECT id::text FROM alert_rules WHERE metric = 'queue_lag'`).Scan(&ruleID); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, admin), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		for _, path := range []string{"/admin/performance", "/admin/alerts", "/admin/alerts/" + ruleID} {
			run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.srv.URL+path), chromedp.WaitReady(`#main`))
			if wide := read(chromedp.Evaluate[string](fitScript)); wide != "" {
				t.Errorf("%s at %dx%d is wider than it should be: %s", path, size[0], size[1], wide)
			}
		}
	}
	run(chromedp.Navigate(h.srv.URL+"/admin/performance"), chromedp.WaitReady(`#main`))
	if bars := read(chromedp.Evaluate[string](`String(document.querySelectorAll("#verifications-chart rect.bar").length) + " " +
		String(document.querySelectorAll("#requests-chart rect.bar").length)`)); strings.HasPrefix(bars, "0 ") || strings.HasSuffix(bars, " 0") {
		t.Errorf("the charts have %s bars", bars)
	}

	lastAsked := confirmations(ctx, t)
	run(chromedp.Navigate(h.srv.URL+"/admin/alerts/"+ruleID), chromedp.WaitReady(`#main`),
		chromedp.Click(`//button[contains(., "Delete rule")]`),
		chromedp.WaitVisible(`//*[contains(., "Rule deleted: Queue lag above 60 s.")]`))
	if asked := lastAsked(); !strings.Contains(asked, "Delete the rule Queue lag above 60 s?") {
		t.Errorf("asked %q", asked)
	}
	// The flash is on the page the delete landed on: the rule is gone.
	var n int
	if err := h.sys.QueryRow(t.Context(), `SELECT count(*) FROM alert_rules WHERE id = $1`, ruleID).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rules with the deleted one's id (%v)", n, err)
	}
}
