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

// A person adds an endpoint on the page and sees its secrets once, sends
// a test event to a loopback receiver and sees the attempt in the log,
// then retries a dead letter once the receiver is back, and deletes the
// endpoint after confirming.
func TestBrowserWebhooks(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme Hooks", "ann@acme.test")
	rcv := newHookReceiver(t, http.StatusOK)
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	base := h.srv.URL
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: base + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}

	run(
		chromedp.Navigate(base+"/dashboard"),
		chromedp.Click(`nav a[href="/webhooks"]`),
		chromedp.WaitVisible(`#endpoint-form input[name="url"]`),
		chromedp.SendKeys(`#endpoint-form input[name="url"]`, rcv.URL+"/crm"),
		chromedp.SendKeys(`#endpoint-form input[name="description"]`, "Browser CRM"),
		chromedp.Click(`#endpoint-form button[type="submit"]`),
		chromedp.WaitVisible(`#webhook-secret`),
		chromedp.WaitVisible(`#webhook-inbound-secret`),
		chromedp.WaitVisible(`button[data-copy-target="webhook-secret"]`),
	)
	secret := strings.TrimSpace(read(chromedp.Text(`#webhook-secret`)))
	inbound := strings.TrimSpace(read(chromedp.Text(`#webhook-inbound-secret`)))
	if !strings.HasPrefix(secret, "whsec_") || !strings.HasPrefix(inbound, "whsec_") || secret == inbound {
		t.Fatalf("secrets shown: %q, %q", secret, inbound)
	}
	run(chromedp.Navigate(base+"/webhooks"), chromedp.WaitVisible(`#endpoints-table`))
	if html := read(chromedp.OuterHTML("html")); strings.Contains(html, secret) || strings.Contains(html, inbound) {
		t.Fatal("a secret is shown a second time")
	}

	// A test event reaches the receiver, signed, and its attempt is logged.
	run(chromedp.Click(`#endpoints-table a[href^="/webhooks/"]`), chromedp.WaitVisible(`#send-test`))
	page := read(chromedp.Location())
	if html := read(chromedp.OuterHTML("html")); strings.Contains(html, secret) {
		t.Fatal("the endpoint's page shows its secret")
	}
	run(chromedp.Click(`#send-test`), chromedp.WaitVisible(`.flash`))
	waitOnPage(t, steps, page, `document.querySelector("#attempts-table tbody tr[id^=attempt-]")?.textContent.includes("200")`)
	if got := rcv.requests(); len(got) != 1 {
		t.Fatalf("%d requests at the receiver", len(got))
	} else {
		verifyHook(t, secret, got[0])
	}
	run(chromedp.Click(`#attempts-table details summary`), chromedp.WaitVisible(`#attempts-table details pre`))
	if body := read(chromedp.Text(`#attempts-table details pre`)); !strings.Contains(body, "received") {
		t.Fatalf("the response body shown is %q", body)
	}

	// The receiver fails every attempt: a dead letter, retried by hand
	// once it is back.
	rcv.answer(http.StatusServiceUnavailable)
	run(chromedp.Click(`#send-test`), chromedp.WaitVisible(`.flash`))
	waitOnPage(t, steps, page, `!!document.querySelector("#dead-table tbody tr[id^=delivery-] button")`)
	if n := len(rcv.requests()); n != 4 {
		t.Fatalf("%d requests, want 1 + 3 attempts", n)
	}
	rcv.answer(http.StatusOK)
	run(chromedp.Click(`#dead-table button`), chromedp.WaitVisible(`.flash`))
	waitOnPage(t, steps, page, `document.querySelector("#dead-table").textContent.includes("No dead letters.")`)
	got := rcv.requests()
	if len(got) != 5 || got[4].header.Get("webhook-id") != got[1].header.Get("webhook-id") {
		t.Fatalf("%d requests; the retry must carry the dead letter's webhook-id", len(got))
	}
	verifyHook(t, secret, got[4])

	// Rotating (asked first, answered in place over HTMX) shows the new
	// secret once; during the overlap both sign.
	run(
		chromedp.SetValue(`#rotate-form select[name="overlap"]`, "24h"),
		chromedp.Click(`#rotate-form button[type="submit"]`),
		chromedp.WaitVisible(`#rotate-result #webhook-secret`),
	)
	rotated := strings.TrimSpace(read(chromedp.Text(`#rotate-result #webhook-secret`)))
	if !strings.HasPrefix(rotated, "whsec_") || rotated == secret {
		t.Fatalf("rotated secret %q", rotated)
	}
	run(chromedp.Click(`#send-test`), chromedp.WaitVisible(`.flash`))
	eventually(t, "the test event after rotating", func() bool { return len(rcv.requests()) == 6 })
	verifyHook(t, rotated, rcv.requests()[5])
	verifyHook(t, secret, rcv.requests()[5])
	if html := read(chromedp.OuterHTML("html")); strings.Contains(html, rotated) {
		t.Fatal("the rotated secret is shown a second time")
	}

	// Delete asks first, then goes back to the list.
	run(chromedp.Click(`#endpoint-delete button`))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err == nil && loc == base+"/webhooks" {
			break
		}
		if time.Now().After(deadline) {
			steps.fail(fmt.Errorf("still at %s after deleting", loc))
		}
	}
	run(chromedp.WaitVisible(`//td[contains(., "No endpoints yet.")]`))
}

// waitOnPage reloads page until cond (a JavaScript expression) holds:
// deliveries happen in workers, and the page does not refresh itself.
func waitOnPage(t *testing.T, steps browserSteps, page, cond string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		steps.run(chromedp.Navigate(page), chromedp.WaitReady(`#main`))
		if ok, err := chromedp.Run(steps.ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			steps.fail(fmt.Errorf("on %s, %s never held", page, cond))
		}
	}
}
