package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// An owner finds an API request on the API logs page: the nav leads
// there, the status filter narrows the table to the failures, the request
// id finds one, and opening it shows its request id and problem code. At
// a laptop's and a phone's width nothing is wider than the screen.
func TestBrowserAPILogsPage(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme Logging", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	for i := range 3 {
		expect(t, api.withRequestID("POST", "/v1/verify", key, `{"email":"deliverable@shop.test"}`, fmt.Sprintf("ok-%d", i)), http.StatusOK)
	}
	long := "/v1/lists/00000000-0000-4000-8000-000000000000/results"
	expectProblem(t, api.withRequestID("GET", long, key, "", "missing-list-request"), http.StatusNotFound, "not_found")
	h.flushLogs()

	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}
	run(
		chromedp.Navigate(h.srv.URL+"/dashboard"),
		chromedp.Click(`nav a[href="/api-logs"]`),
		chromedp.WaitVisible(`#api-logs-table`),
	)
	if n := read(chromedp.Evaluate[string](`String(document.querySelectorAll("#api-logs-table tr.api-log-row").length)`)); n != "4" {
		t.Fatalf("%s rows, want 4", n)
	}

	// Only the failures.
	run(
		chromedp.SetValue(`#status`, "4xx"),
		chromedp.Click(`#api-log-filter button[type="submit"]`),
		// The answer's form has the choice selected: the filtered page is in.
		chromedp.WaitReady(`#status option[value="4xx"][selected]`),
	)
	if n := read(chromedp.Evaluate[string](`String(document.querySelectorAll("#api-logs-table tr.api-log-row").length)`)); n != "1" {
		t.Fatalf("%s rows with status 4xx, want 1", n)
	}

	// By request id, then open it.
	run(
		chromedp.Navigate(h.srv.URL+"/api-logs"),
		chromedp.WaitVisible(`#request_id`),
		chromedp.SendKeys(`#request_id`, "missing-list-request"),
		chromedp.Submit(`#request_id`),
		chromedp.WaitReady(`#request_id[value="missing-list-request"]`),
		chromedp.Click(`tr.api-log-row summary`),
		chromedp.WaitVisible(`tr.api-log-row .api-log-problem`),
	)
	if got := strings.TrimSpace(read(chromedp.Text(`tr.api-log-row .api-log-request-id`))); got != "missing-list-request" {
		t.Fatalf("request id shown: %q", got)
	}
	if got := strings.TrimSpace(read(chromedp.Text(`tr.api-log-row .api-log-problem`))); got != "not_found" {
		t.Fatalf("problem code shown: %q", got)
	}

	// It fits, opened, at both widths; and so does the whole list.
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		for _, path := range []string{"/api-logs", "/api-logs?request_id=missing-list-request"} {
			run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.srv.URL+path), chromedp.WaitReady(`#api-logs-table`),
				chromedp.Click(`tr.api-log-row:last-child summary`), chromedp.WaitVisible(`tr.api-log-row:last-child .api-log-problem`))
			if wide := read(chromedp.Evaluate[string](fitScript)); wide != "" {
				t.Errorf("%s at %dx%d is wider than it should be: %s", path, size[0], size[1], wide)
			}
		}
	}
}
