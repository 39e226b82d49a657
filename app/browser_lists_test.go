package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// A person logs in, uploads a CSV through the lists page, watches the
// progress bar fill in place (HTMX, no reload), reads the counts and
// downloads the cleaned file.
func TestBrowserListUploadProgressExport(t *testing.T) {
	h := newHarness(t)
	h.signUp("Acme Lists", "ann@acme.test")
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, fail := steps.run, steps.fail
	base := h.srv.URL

	// Log in through the real form.
	run(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`form[action="/login"] input[name="email"]`),
		chromedp.SendKeys(`form[action="/login"] input[name="email"]`, "ann@acme.test"),
		chromedp.SendKeys(`form[action="/login"] input[name="password"]`, password),
		chromedp.Submit(`form[action="/login"] input[name="password"]`),
		chromedp.WaitVisible(`nav a[href="/keys"]`),
	)

	// 40 rows: ann and bob exist on shop.test, 16 unknown mailboxes there
	// are rejected, 19 addresses on the catch-all domain are risky, ann on
	// the greylisting domain is deliverable once retried; one duplicate
	// (another case of ann) and one address that does not parse,
	// undeliverable at once.
	want := map[string]string{
		"ann@shop.test": "deliverable",
		"bob@shop.test": "deliverable",
		"ann@grey.test": "deliverable",
		"bad@@x":        "undeliverable",
	}
	var file strings.Builder
	file.WriteString("name,email,source\r\n")
	file.WriteString("Ann,ann@shop.test,crm\r\n")
	file.WriteString("Bob,bob@shop.test,crm\r\n")
	file.WriteString("Grey Ann,ann@grey.test,crm\r\n")
	for i := 1; i <= 16; i++ {
		addr := fmt.Sprintf("nobody%02d@shop.test", i)
		want[addr] = "undeliverable"
		fmt.Fprintf(&file, "Nobody %d,%s,fair\r\n", i, addr)
	}
	for i := 1; i <= 19; i++ {
		addr := fmt.Sprintf("visitor%02d@catchall.test", i)
		want[addr] = "risky"
		fmt.Fprintf(&file, "Visitor %d,%s,\"web, form\"\r\n", i, addr)
	}
	file.WriteString("Ann again,ANN@shop.test,import\r\n")
	file.WriteString("Broken,bad@@x,import\r\n")
	const totalRows, uniqueRows = 40, 39
	if n := strings.Count(file.String(), "\n") - 1; n != totalRows || len(want) != uniqueRows {
		t.Fatalf("fixture has %d rows and %d unique addresses", n, len(want))
	}
	wantCounts := map[string]int{}
	for _, status := range want {
		wantCounts[status]++
	}
	path := filepath.Join(t.TempDir(), "contacts.csv")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	// Upload through the form; the server redirects to the list's page.
	run(
		chromedp.Navigate(base+"/lists"),
		chromedp.WaitVisible(`#upload-form input[name="file"]`),
		chromedp.SendKeys(`#upload-form input[name="name"]`, "Browser contacts"),
		chromedp.SetUploadFiles(`#upload-form input[name="file"]`, []string{path}),
		chromedp.Click(`#upload-form button[type="submit"]`),
		chromedp.WaitVisible(`#list-progress .progress-bar`),
	)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		fail(err)
	}
	listPage := regexp.MustCompile(`^` + regexp.QuoteMeta(base) + `/lists/[0-9a-f-]{36}$`)
	if !listPage.MatchString(loc) {
		fail(fmt.Errorf("after upload the browser is at %s", loc))
	}

	// Mark this document, and note whether the progress was still running
	// (and so polling) when the page arrived.
	type landing struct {
		Origin  float64 `json:"origin"`
		Running bool    `json:"running"`
	}
	first, err := chromedp.Run(ctx, chromedp.Evaluate[landing](`(() => {
		window.__mark = 1;
		const p = document.getElementById("list-progress");
		window.__firstProgress = p;
		return {origin: performance.timeOrigin, running: p.hasAttribute("hx-trigger")};
	})()`))
	if err != nil {
		fail(err)
	}

	// Wait for the list to finish. Poll fails if the page navigates.
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const p = document.getElementById("list-progress");
		return !!p && !!p.querySelector('[aria-valuenow="100"]') && !p.hasAttribute("hx-trigger");
	})()`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(90*time.Second)))
	if err != nil {
		fail(fmt.Errorf("waiting for 100%% in place (a reload also ends the wait): %w", err))
	}

	type finished struct {
		Mark     int            `json:"mark"`
		Origin   float64        `json:"origin"`
		Swapped  bool           `json:"swapped"`
		Sections int            `json:"sections"`
		Width    string         `json:"width"`
		Text     string         `json:"text"`
		Counts   map[string]int `json:"counts"`
		Summary  string         `json:"summary"`
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[finished](`(() => {
		const p = document.getElementById("list-progress");
		const counts = {};
		for (const el of p.querySelectorAll("[data-count]")) counts[el.dataset.count] = parseInt(el.textContent.trim(), 10);
		return {
			mark: window.__mark || 0,
			origin: performance.timeOrigin,
			swapped: p !== window.__firstProgress,
			sections: document.querySelectorAll("#list-progress").length,
			width: p.querySelector(".progress-bar").getAttribute("width"),
			text: document.getElementById("progress-text").textContent.replace(/\s+/g, " ").trim(),
			counts: counts,
			summary: p.querySelector("p.small").textContent.replace(/\s+/g, " ").trim(),
		};
	})()`))
	if err != nil {
		fail(err)
	}
	if got.Mark != 1 || got.Origin != first.Origin {
		t.Fatalf("the page reloaded while the list ran (marker %d, origin %v then %v)", got.Mark, first.Origin, got.Origin)
	}
	if got.Sections != 1 {
		t.Fatalf("%d progress sections on the page, want 1", got.Sections)
	}
	if first.Running && !got.Swapped {
		t.Fatal("the progress was running on arrival but was never swapped in place")
	}
	if !first.Running {
		t.Log("the list had finished before its page loaded; the in-place swap was not exercised")
	}
	if got.Width != "100.0" { // of the bar's 100-wide viewBox (an SVG attribute: the CSP allows no inline style)
		t.Fatalf("progress bar width %q", got.Width)
	}
	if wantText := fmt.Sprintf("100%% · %d of %d unique addresses verified", uniqueRows, uniqueRows); !strings.HasPrefix(got.Text, wantText) {
		t.Fatalf("progress text %q, want it to start with %q", got.Text, wantText)
	}
	for _, status := range []string{"deliverable", "undeliverable", "risky", "unknown"} {
		if n, ok := got.Counts[status]; !ok || n != wantCounts[status] {
			t.Fatalf("counts shown %v, want %v", got.Counts, wantCounts)
		}
	}
	if wantSummary := fmt.Sprintf("%d rows read · 1 duplicates removed · 0 rows without an address skipped", totalRows); got.Summary != wantSummary {
		t.Fatalf("summary %q, want %q", got.Summary, wantSummary)
	}

	// Download the unique addresses with the browser's session.
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(`//a[starts-with(., "Unique addresses")]`, "href"))
	if err != nil {
		fail(err)
	}
	if !href.Exists || href.Value != strings.TrimPrefix(loc, base)+"/export.csv?rows=unique" {
		t.Fatalf("export link %+v on %s", href, loc)
	}
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		fail(err)
	}
	dl, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(dl, http.MethodGet, base+href.Value, nil)
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, "Browser-contacts-unique.csv") {
		t.Fatalf("disposition %q", cd)
	}
	recs, err := csv.NewReader(res.Body).ReadAll()
	if err != nil {
		t.Fatalf("export is not CSV: %v", err)
	}
	header := recs[0]
	if len(header) < 5 || !slices.Equal(header[:5], []string{"name", "email", "source", "mailvet_status", "mailvet_reason"}) {
		t.Fatalf("export header %v", header)
	}
	col := map[string]int{}
	for i, name := range header {
		if i >= 3 && !strings.HasPrefix(name, "mailvet_") {
			t.Fatalf("export header %v: column %q is neither original nor mailvet_", header, name)
		}
		col[name] = i
	}
	if _, ok := col["mailvet_catch_all"]; !ok {
		t.Fatalf("export header %v lacks mailvet_catch_all", header)
	}
	if len(recs)-1 != uniqueRows {
		t.Fatalf("export has %d rows, want one per unique address (%d)", len(recs)-1, uniqueRows)
	}
	seen := map[string]bool{}
	for _, rec := range recs[1:] {
		email, status, reason := rec[1], rec[3], rec[4]
		wantStatus, ok := want[email]
		if !ok || seen[email] {
			t.Fatalf("unexpected or repeated export row %v", rec)
		}
		seen[email] = true
		if status != wantStatus {
			t.Errorf("%s: status %q, want %q (%v)", email, status, wantStatus, rec)
		}
		switch wantStatus {
		case "undeliverable":
			if email == "bad@@x" && reason != "invalid_syntax" || email != "bad@@x" && reason != "rejected_email" {
				t.Errorf("%s: reason %q, want rejected_email", email, reason)
			}
		case "risky":
			if reason != "catch_all" || rec[col["mailvet_catch_all"]] != "true" {
				t.Errorf("%s: reason %q, catch_all %q; want catch_all, true", email, reason, rec[col["mailvet_catch_all"]])
			}
			if rec[2] != "web, form" {
				t.Errorf("%s: original column source %q not kept", email, rec[2])
			}
		}
		if email == "ann@shop.test" && rec[0] != "Ann" {
			t.Errorf("the first of the duplicates should be kept, got %v", rec)
		}
	}
}
