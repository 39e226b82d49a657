package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Rolling a key in the browser asks first, shows the successor's secret
// once and the old key's grace counting down while it is still in use; a
// rotated key's banner reveals its successor once. The keys page, in
// each of these states, fits a laptop and a phone.
func TestBrowserRollKeyShowsSuccessorOnceAndGrace(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme Fitting Rooms International", "ann@acme.test")
	old := newKey(t, owner, "test")
	api := h.browser()
	expect(t, api.api("GET", "/v1/me", old), http.StatusOK)
	newKey(t, owner, "live")

	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}
	lastAsked := confirmations(ctx, t)
	fits := func(state string) {
		t.Helper()
		for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
			run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.srv.URL+"/keys"), chromedp.WaitReady(`#main`))
			if wide := read(chromedp.Evaluate[string](fitScript)); wide != "" {
				t.Errorf("/keys (%s) at %dx%d is wider than it should be: %s", state, size[0], size[1], wide)
			}
		}
		run(chromedp.EmulateViewport(1280, 900))
	}
	fits("two keys")

	oldRow := `//tbody[@id="keys-body"]/tr[.//code[contains(., "` + old[:14] + `")]]`
	run(chromedp.Navigate(h.srv.URL+"/keys"), chromedp.WaitVisible(oldRow))
	run(
		chromedp.Click(oldRow+`//summary[contains(., "Roll")]`),
		chromedp.SetValue(oldRow+`//select[@name="grace"]`, "1h"),
		chromedp.Click(oldRow+`//button[contains(., "Roll key")]`),
		chromedp.WaitVisible(`#new-key-secret`),
	)
	if q := lastAsked(); !strings.Contains(q, "Roll key “test key”") {
		t.Errorf("rolling asked %q", q)
	}
	secret := strings.TrimSpace(read(chromedp.Text(`#new-key-secret`)))
	if !secretRE.MatchString(secret) || secret == old {
		t.Fatalf("the successor shown is %q", secret)
	}
	run(chromedp.WaitVisible(oldRow + `//*[contains(., "Stops working in 59 minutes")]`))

	// The old key is still used during its grace (the roll moved back 10
	// minutes, its last use to 3 minutes ago); the page says so, and never
	// shows the successor's secret again.
	expect(t, api.api("GET", "/v1/me", old), http.StatusOK)
	expect(t, api.api("GET", "/v1/me", secret), http.StatusOK)
	if _, err := h.sys.Exec(t.Context(), "UPDATE api_keys SET rolled_at = now() - interval '10 minutes', last_used_at = now() - interval '3 minutes' WHERE starts_with($1, prefix) AND prefix <> ''", old); err != nil {
		t.Fatal(err)
	}
	run(chromedp.Navigate(h.srv.URL+"/keys"), chromedp.WaitVisible(oldRow+`//*[contains(., "still in use 3 minutes ago")]`))
	if read(chromedp.Evaluate[string](fmt.Sprintf(`String(document.body.innerHTML.includes(%q))`, secret))) != "false" {
		t.Fatal("the keys page shows the successor's secret again")
	}
	fits("a key in its grace")

	// The countdown keeps itself current (static/countdown.js): moved past
	// its end, at its next tick (one is asked for here, as a swap would)
	// it says so.
	run(chromedp.Navigate(h.srv.URL+"/keys"), chromedp.WaitVisible(`[data-until]`))
	read(chromedp.Evaluate[string](`document.querySelector("[data-until]").setAttribute("data-until", new Date(Date.now() - 1000).toISOString());
		document.dispatchEvent(new Event("htmx:afterSettle")); ""`))
	run(chromedp.WaitVisible(`//*[@data-until][contains(., "Stopped working")]`))

	// Automatic rotation: the successor, aged, is rotated by the sweep;
	// its banner reveals the next key once.
	expectRedirect(t, owner.post("/keys/policy", url.Values{"rotate_after_days": {"30"}, "max_grace_hours": {"168"}, "rotation_grace_hours": {"24"}}), "/keys")
	if _, err := h.sys.Exec(t.Context(), "UPDATE api_keys SET created_at = now() - interval '31 days' WHERE starts_with($1, prefix) AND prefix <> ''", secret); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.SweepAPIKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	fits("a rotated key awaiting reveal")
	run(chromedp.Navigate(h.srv.URL+"/keys"), chromedp.WaitVisible(`#key-reveal-banner`),
		chromedp.Click(`#key-reveal-banner button`), chromedp.WaitVisible(`#new-key-secret`))
	if q := lastAsked(); !strings.Contains(q, "Reveal the new key") {
		t.Errorf("revealing asked %q", q)
	}
	revealed := strings.TrimSpace(read(chromedp.Text(`#new-key-secret`)))
	expect(t, api.api("GET", "/v1/me", revealed), http.StatusOK)
	run(chromedp.Navigate(h.srv.URL+"/keys"), chromedp.WaitReady(`#main`))
	if read(chromedp.Evaluate[string](`String(!!document.getElementById("key-reveal-banner") || !!document.getElementById("new-key-secret"))`)) != "false" {
		t.Fatal("the banner or the revealed secret is still on the page")
	}
}
