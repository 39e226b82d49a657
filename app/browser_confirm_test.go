package app_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// confirmations notes the questions the page asks (confirm dialogs,
// which newBrowser accepts) and returns what reads the last one ("" for
// none yet).
func confirmations(ctx context.Context, t *testing.T) func() string {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	if err := chromedp.Listen(ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok && d.Type == page.DialogTypeConfirm {
			mu.Lock()
			asked = append(asked, d.Message)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		if len(asked) == 0 {
			return ""
		}
		return asked[len(asked)-1]
	}
}

// Destructive actions ask first: every control that deletes, revokes or
// removes sits in an HTMX form with hx-confirm, and clicking it (and OK)
// asks the question and then does it. "Delete list" stands apart from
// the downloads.
func TestBrowserDestructiveActionsConfirmFit(t *testing.T) {
	h := newHarness(t)
	owner, listPage := fitWorkspace(t, h)
	hookPage, _ := fitWebhooks(t, h, owner)
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}
	lastAsked := confirmations(ctx, t)

	// The destructive controls of each page, and those without a question.
	want := map[string]int{listPage: 1, "/keys": 2, "/team": 2, "/rules": 1, hookPage: 1}
	for path, n := range want {
		run(chromedp.Navigate(h.srv.URL+path), chromedp.WaitReady(`#main`))
		got := read(chromedp.Evaluate[string](`(() => {
			const words = /^(delete|revoke|remove)\b/i;
			const controls = [...document.querySelectorAll("#main button")].filter(b => words.test(b.textContent.trim()));
			const bad = controls.filter(b => {
				const f = b.closest("form");
				return !f || !f.getAttribute("hx-confirm") || !(f.hasAttribute("hx-post") || f.closest("[hx-boost=true]"));
			}).map(b => b.getAttribute("aria-label") || b.textContent.trim());
			return controls.length + "|" + bad.join(", ");
		})()`))
		count, bad, _ := strings.Cut(got, "|")
		if bad != "" {
			t.Errorf("%s: these destructive controls do not ask first: %s", path, bad)
		}
		// Revoke invitation + remove member on /team; two keys' Revoke;
		// Delete endpoint on an endpoint's page.
		if count != strconv.Itoa(n) {
			t.Errorf("%s: %s destructive controls, want %d", path, count, n)
		}
	}

	// On the list's page "Delete list" is in its own section, not among the
	// downloads.
	run(chromedp.Navigate(h.srv.URL+listPage), chromedp.WaitReady(`#main`))
	where := read(chromedp.Evaluate[string](`(() => {
		const b = [...document.querySelectorAll("#main button")].find(b => b.textContent.trim() === "Delete list");
		if (!b) return "missing";
		const s = b.closest("section");
		return (s.querySelector("a[download]") ? "with the downloads" : "apart") + " " + s.id;
	})()`))
	if where != "apart list-delete" {
		t.Errorf("Delete list is %s", where)
	}

	// Clicking asks, OK does it: the server answers HX-Redirect and the
	// browser lands on a new page (marked, so the old one cannot pass).
	clickAndLand := func(path, button string) {
		t.Helper()
		run(chromedp.Navigate(h.srv.URL+path), chromedp.WaitReady(`#main`))
		read(chromedp.Evaluate[string](`window.__before = "here"`))
		run(chromedp.Click(button))
		// Poll by hand: chromedp's Poll fails when the page navigates,
		// which is the point here.
		for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			landed, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.__before && document.readyState === "complete" && !!document.getElementById("main")`))
			if err == nil && landed {
				break
			}
			if time.Now().After(deadline) {
				steps.fail(fmt.Errorf("after clicking %s on %s the browser did not land on a new page (%v)", button, path, err))
			}
		}
	}
	clickAndLand("/rules", `button[aria-label="Delete rule wildcard *.spam.test"]`)
	if q := lastAsked(); !strings.Contains(q, "*.spam.test") {
		t.Errorf("deleting a rule asked %q", q)
	}
	if html := read(chromedp.OuterHTML("#main")); strings.Contains(html, "*.spam.test</code>") || !strings.Contains(html, "No rules.") {
		t.Error("the rule is still there after deleting it")
	}
	clickAndLand("/team", `button[aria-label="Remove Mia from the team"]`)
	if q := lastAsked(); !strings.Contains(q, "Remove Mia") {
		t.Errorf("removing a member asked %q", q)
	}
	if html := read(chromedp.OuterHTML("#main")); strings.Contains(html, `aria-label="Remove Mia from the team"`) {
		t.Error("Mia is still on the team after removing her")
	}
	clickAndLand(listPage, `#list-delete button`)
	if q := lastAsked(); !strings.Contains(q, "Spring newsletter contacts") {
		t.Errorf("deleting a list asked %q", q)
	}
	if loc := read(chromedp.Location()); loc != h.srv.URL+"/lists" {
		t.Errorf("after deleting the list the browser is at %s", loc)
	}
	if html := read(chromedp.OuterHTML("#main")); strings.Contains(html, "Spring newsletter contacts</a>") {
		t.Error("the deleted list is still listed")
	}
}
