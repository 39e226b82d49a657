package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// A person schedules a list from its page (refusals shown next to their
// field), runs it now after the farm changed, sees the run and its decay
// report and downloads the changed addresses; the list's page and the
// report fit a laptop and a phone, and removing the schedule asks first.
func TestBrowserScheduleRunAndDecayReport(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme Decay", "ann@acme.test")
	live := newKey(t, owner, "live")
	api := h.browser()
	res := api.upload("/v1/lists", live, "", "contacts.csv", "email\r\nann@shop.test\r\nbob@shop.test\r\nnobody@shop.test\r\n",
		map[string]string{"name": "Decaying contacts"})
	expect(t, res, http.StatusCreated)
	l := decodeList(t, res)
	waitList(t, api, live, l.ID)
	listPage := h.srv.URL + "/lists/" + l.ID

	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}
	lastAsked := confirmations(ctx, t)
	// landed waits for a new page (the old one is marked) showing sel;
	// chromedp's Poll fails when the page navigates, which is the point.
	landed := func(sel string) {
		t.Helper()
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__before && document.readyState === "complete" && !!document.querySelector(`+fmt.Sprintf("%q", sel)+`)`))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				steps.fail(fmt.Errorf("no new page with %s (%v)", sel, err))
			}
		}
	}
	save := func(every, cron, zone string) {
		t.Helper()
		run(chromedp.Navigate(listPage), chromedp.WaitVisible(`#list-schedule form.schedule-form`))
		read(chromedp.Evaluate[string](fmt.Sprintf(`(() => {
			document.getElementById("every").value = %q;
			document.getElementById("cron").value = %q;
			document.getElementById("time_zone").value = %q;
			window.__before = "here";
			return "";
		})()`, every, cron, zone)))
		run(chromedp.Click(`#list-schedule form.schedule-form button[type="submit"]`))
		landed(`#schedule-summary`)
	}

	// Refusals, next to their field, changing nothing.
	save("cron", "*/5 * * * *", "UTC")
	if msg := read(chromedp.Text(`#every-error`)); !strings.Contains(msg, "Your plan allows at most one run every 7 days; this schedule runs every 5 minutes") {
		t.Errorf("too frequent: %q", msg)
	}
	save("cron", "0 25 * * *", "UTC")
	if msg := read(chromedp.Text(`#cron-error`)); !strings.Contains(msg, "This expression does not parse") {
		t.Errorf("bad cron: %q", msg)
	}
	save("monthly", "", "Mars/Olympus")
	if msg := read(chromedp.Text(`#time_zone-error`)); !strings.Contains(msg, "Not a time zone") {
		t.Errorf("bad zone: %q", msg)
	}
	if s := read(chromedp.Text(`#schedule-summary`)); s != "No schedule." {
		t.Fatalf("after refusals the summary says %q", s)
	}
	save("monthly", "", "Europe/Paris")
	if s := read(chromedp.Text(`#schedule-summary`)); !strings.Contains(s, "Monthly, the 1st at 03:00 · Europe/Paris · next run 1 ") {
		t.Fatalf("schedule summary %q", s)
	}

	// bob leaves; run now and wait for the run to finish.
	if err := h.world.SetMailboxes("shop.test", []string{"ann"}); err != nil {
		t.Fatal(err)
	}
	read(chromedp.Evaluate[string](`window.__before = "here"`))
	run(chromedp.Click(`#run-now`))
	landed(`#runs-table`)
	// The run's row moves to completed in place: the history refreshes
	// itself while a run is active, without reloading the page.
	read(chromedp.Evaluate[string](`window.__runsPage = "kept"`))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
		const rows = document.querySelectorAll("#runs-table tbody tr");
		return rows.length === 1 && rows[0].textContent.includes("completed") && !document.getElementById("list-runs").hasAttribute("hx-trigger");
	})()`, chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(60*time.Second))); err != nil {
		steps.fail(fmt.Errorf("waiting for the run to complete in place: %w", err))
	}
	if kept := read(chromedp.Evaluate[string](`String(window.__runsPage)`)); kept != "kept" {
		t.Fatalf("the page reloaded while the run ran (%s)", kept)
	}
	row := read(chromedp.Text(`#runs-table tbody tr`))
	for _, want := range []string{"manual", "completed", "3", "1", "33.3%"} {
		if !strings.Contains(row, want) {
			t.Errorf("run row %q lacks %q", row, want)
		}
	}
	if n := read(chromedp.Evaluate[string](`String(document.querySelectorAll("#trend-chart .col").length)`)); n != "1" {
		t.Errorf("the trend chart has %s columns, want 1", n)
	}

	// The decay report.
	read(chromedp.Evaluate[string](`window.__before = "here"`))
	run(chromedp.Click(`#runs-table tbody tr a`))
	landed(`#transitions-table`)
	if tr := read(chromedp.Text(`#transitions-table tbody`)); !strings.Contains(tr, "deliverable") || !strings.Contains(tr, "undeliverable") || !strings.Contains(tr, "1") {
		t.Errorf("transitions %q", tr)
	}
	if ch := read(chromedp.Text(`#changes-table tbody`)); !strings.Contains(ch, "bob@shop.test") || strings.Contains(ch, "ann@shop.test") {
		t.Errorf("changes %q", ch)
	}
	runPage := read(chromedp.Location())
	href := read(chromedp.Evaluate[string](`document.getElementById("changes-csv").getAttribute("href")`))
	csv := owner.get(href)
	expect(t, csv, http.StatusOK)
	if csv.body != "row,email,previous_status,status,reason\n2,bob@shop.test,deliverable,undeliverable,rejected_email\n" {
		t.Errorf("changes CSV %q", csv.body)
	}

	// Both pages fit a laptop and a phone.
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		for _, path := range []string{listPage, runPage} {
			run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(path), chromedp.WaitReady(`#main`))
			if wide := read(chromedp.Evaluate[string](fitScript)); wide != "" {
				t.Errorf("%s at %dx%d is wider than it should be: %s", path, size[0], size[1], wide)
			}
		}
	}

	// Removing the schedule asks first, then removes it.
	run(chromedp.Navigate(listPage), chromedp.WaitVisible(`#list-schedule`))
	read(chromedp.Evaluate[string](`window.__before = "here"`))
	run(chromedp.Click(`//button[normalize-space()="Remove schedule"]`))
	landed(`#schedule-summary`)
	if question := lastAsked(); !strings.Contains(question, "Remove this schedule?") {
		t.Errorf("removing the schedule asked %q", question)
	}
	if s := read(chromedp.Text(`#schedule-summary`)); s != "No schedule." {
		t.Errorf("after removing, the summary says %q", s)
	}
	if rows := read(chromedp.Evaluate[string](`String(document.querySelectorAll("#runs-table tbody tr").length)`)); rows != "1" {
		t.Errorf("%s runs in the history after removing the schedule, want 1", rows)
	}
}
