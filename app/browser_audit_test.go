package app_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// A workspace owner filters the audit log in a browser, opens an event
// with its before and after, and downloads the filtered view as CSV; the
// audit pages fit a laptop and a phone.
func TestBrowserAuditFilterAndDownload(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme Audit & Compliance Worldwide", "ann@acme.test")
	newKey(t, owner, "live")
	newKey(t, owner, "test")
	expectRedirect(t, owner.post("/rules", addRule("domain", "spam.test", "block", "")), "/rules")
	expectRedirect(t, owner.post("/settings", url.Values{"name": {"Acme Audit"}, "technical_email": {"a.rather.long.address@subsidiary.acme.test"}}), "/settings")

	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	dir := t.TempDir()
	downloaded := make(chan string, 1)
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if e, ok := ev.(*cdpbrowser.EventDownloadProgress); ok && e.State == cdpbrowser.DownloadProgressStateCompleted {
			select {
			case downloaded <- e.GUID:
			default:
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	on := true
	if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &on}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatal(err)
	}

	steps.run(chromedp.EmulateViewport(1280, 900), chromedp.Navigate(h.srv.URL+"/dashboard"), chromedp.Click(`nav.mainnav a[href="/audit"]`),
		chromedp.WaitVisible(`#audit-table`),
		chromedp.SendKeys(`#action`, "api_key"), chromedp.Submit(`#action`),
		chromedp.WaitVisible(`input#action[value="api_key"]`))
	actions := steps.readList(`Array.from(document.querySelectorAll("#audit-table tbody tr td:nth-child(3) code")).map(c => c.textContent)`)
	if len(actions) != 2 {
		t.Fatalf("filtered by api_key, the table shows %v; want the two keys' creation", actions)
	}
	for _, a := range actions {
		if !strings.HasPrefix(a, "api_key.") {
			t.Fatalf("filtered by api_key, the table shows %v", actions)
		}
	}

	steps.run(chromedp.Click(`#audit-export-csv`))
	var guid string
	select {
	case guid = <-downloaded:
	case <-time.After(30 * time.Second):
		t.Fatal("the CSV download did not complete in 30s")
	}
	f, err := os.Open(filepath.Join(dir, guid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("the download is not CSV: %v", err)
	}
	if len(rows) != 3 || rows[0][7] != "action" || !strings.HasPrefix(rows[1][7], "api_key.") || !strings.HasPrefix(rows[2][7], "api_key.") {
		t.Fatalf("downloaded CSV: %q", rows)
	}

	// The settings change opens to its before and after.
	steps.run(chromedp.Navigate(h.srv.URL+"/audit?action=tenant.updated"), chromedp.WaitVisible(`#audit-table`),
		chromedp.Click(`#audit-table tbody tr td:first-child a`), chromedp.WaitVisible(`#audit-changes`))
	changed := steps.read(chromedp.Text(`#audit-changes tbody`))
	if !strings.Contains(changed, "Acme Audit & Compliance Worldwide") || !strings.Contains(changed, "technical_email") {
		t.Fatalf("the event's changes: %q", changed)
	}
	detail := strings.TrimPrefix(steps.read(chromedp.Location()), h.srv.URL)

	// The same owner as a platform admin, for the platform's viewer.
	if _, err := h.sys.Exec(t.Context(), `UPDATE users SET platform_admin = true WHERE email = 'ann@acme.test'`); err != nil {
		t.Fatal(err)
	}
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		for _, path := range []string{"/audit", "/audit?action=api_key", detail, "/admin/audit", "/admin/audit" + strings.TrimPrefix(detail, "/audit")} {
			steps.run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.srv.URL+path), chromedp.WaitReady(`.page-header`))
			if title := steps.read(chromedp.Evaluate[string](`document.title`)); !strings.HasPrefix(title, "Audit") {
				t.Fatalf("%s is %q, not an audit page", path, title)
			}
			if wide := steps.read(chromedp.Evaluate[string](fitScript)); wide != "" {
				t.Errorf("%s at %dx%d is wider than it should be: %s", path, size[0], size[1], wide)
			}
		}
	}
	expect(t, owner.get(detail), http.StatusOK)
}

// readList evaluates an expression that gives a list of strings.
func (b browserSteps) readList(expr string) []string {
	b.t.Helper()
	stepCtx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	v, err := chromedp.Run(stepCtx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		b.fail(fmt.Errorf("%s: %w", expr, err))
	}
	return v
}
