package app_test

import (
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// /docs renders the API reference with no network beyond the server: the
// browser can resolve no other host, and the test records every request
// the page makes and fails on any that is not to the server (or a data:
// or blob: URL of the page's own making). The reference shows the
// operations, their code samples and the webhooks, within the width of a
// desktop and of a phone, and its search works, with nothing refused by
// its Content-Security-Policy (newBrowser fails the test on that).
func TestBrowserAPIDocsOffline(t *testing.T) {
	h := newHarness(t)
	// Every name but the loopback ones fails to resolve: the page must
	// work with no way out.
	ctx := newBrowser(t, chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"))
	steps := browserSteps{t: t, ctx: ctx}
	server, err := url.Parse(h.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var outside []string
	err = chromedp.Listen(ctx, func(ev any) {
		req, ok := ev.(*network.EventRequestWillBeSent)
		if !ok {
			return
		}
		u, err := url.Parse(req.Request.URL)
		if err == nil && (u.Scheme == "data" || u.Scheme == "blob" || u.Host == server.Host) {
			return
		}
		mu.Lock()
		outside = append(outside, req.Request.URL)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable the network events: %v", err)
	}

	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		steps.run(
			chromedp.EmulateViewport(size[0], size[1]),
			chromedp.Navigate(h.srv.URL+"/docs"),
			// Rendered: an operation's heading, its samples, a webhook.
			chromedp.WaitVisible(`//h2[contains(., "Verify one address.")]`),
		)
		text := steps.read(chromedp.Text(`#redoc`))
		for _, want := range []string{"Verify one address.", "Upload a list of addresses", "Test mode", "list.completed", "curl", "Python", "JavaScript", "Go", "quota_exceeded"} {
			if !strings.Contains(text, want) {
				t.Errorf("/docs at %dpx does not show %q", size[0], want)
			}
		}
		wide := steps.read(chromedp.Evaluate[string](`(() => {
			const vw = document.documentElement.clientWidth, sw = document.documentElement.scrollWidth;
			return sw > vw ? "document " + sw + "px in " + vw + "px" : "";
		})()`))
		if wide != "" {
			t.Errorf("/docs at %dx%d is wider than the screen: %s", size[0], size[1], wide)
		}
	}
	// The search runs in its blob: worker and finds an operation.
	steps.run(
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(h.srv.URL+"/docs"),
		chromedp.WaitVisible(`input[placeholder="Search..."]`),
		chromedp.SendKeys(`input[placeholder="Search..."]`, "rotate"),
		chromedp.WaitVisible(`//*[@data-role="search:results"]//li[@aria-label="api_key.rotated"]`),
	)
	mu.Lock()
	defer mu.Unlock()
	if len(outside) > 0 {
		t.Errorf("/docs asked for %d thing(s) outside the server: %s", len(outside), strings.Join(outside, ", "))
	}
}
