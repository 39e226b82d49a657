package app_test

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds Debian's Chromium. In CI a missing browser fails the run.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM_PATH"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is required in CI: apt-get install chromium")
	}
	t.Skip("no Chromium; apt-get install chromium to run browser tests")
	return ""
}

// newBrowser starts a headless Chromium for t; extra adds flags (the docs
// test's resolver rules, say).
func newBrowser(t *testing.T, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// Accept hx-confirm dialogs, as a person clicking OK would, and note
	// whatever the Content-Security-Policy blocked: a page that works only
	// in part must fail the test too.
	var mu sync.Mutex
	var blocked []string
	err := chromedp.Listen(ctx, func(ev any) {
		switch ev := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			go func() {
				_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			}()
		case *cdplog.EventEntryAdded:
			if ev.Entry != nil && strings.Contains(ev.Entry.Text, "Content Security Policy") {
				mu.Lock()
				blocked = append(blocked, ev.Entry.Text)
				mu.Unlock()
			}
		}
	})
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable the browser log: %v", err)
	}
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		for _, msg := range blocked {
			t.Errorf("the Content-Security-Policy blocked something: %s", msg)
		}
	})
	return ctx
}

// A person signs up, verifies their address from the email, logs in,
// creates an API key, sees it once, uses it, and revokes it.
func TestBrowserSignUpToRevokedKey(t *testing.T) {
	h := newHarness(t)
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	base := h.srv.URL

	run(
		chromedp.Navigate(base+"/signup"),
		chromedp.SendKeys(`input[name="company"]`, "Acme Browsers"),
		chromedp.SendKeys(`input[name="name"]`, "Ann"),
		chromedp.SendKeys(`input[name="email"]`, "ann@acme.test"),
		chromedp.SendKeys(`input[name="password"]`, password),
		chromedp.Submit(`input[name="password"]`),
		chromedp.WaitVisible(`//h1[contains(., "Acme Browsers") or contains(., "Dashboard") or contains(., "Welcome")]`),
	)
	link := h.mailedLink("ann@acme.test", "Verify")
	run(chromedp.Navigate(base + link))
	text := read(chromedp.Text("main"))
	if !strings.Contains(text, "verified") {
		t.Fatalf("verification page says %q", text)
	}

	// Sign out, then log in through the form.
	run(signOutAndLogIn(base, "ann@acme.test")...)
	run(chromedp.WaitVisible(`nav a[href="/keys"]`))

	// Create a key over HTMX and read it once.
	run(
		chromedp.Navigate(base+"/keys"),
		chromedp.WaitVisible(`#key-form input[name="name"]`),
		chromedp.SendKeys(`#key-form input[name="name"]`, "Browser key"),
		chromedp.Click(`#key-form button[type="submit"]`),
		chromedp.WaitVisible(`#new-key-secret`),
		chromedp.WaitVisible(`//tbody[@id="keys-body"]//td[contains(., "Browser key")]`),
	)
	secret := strings.TrimSpace(read(chromedp.Text(`#new-key-secret`)))
	if !secretRE.MatchString(secret) {
		t.Fatalf("secret shown is %q", secret)
	}
	run(chromedp.Reload(), chromedp.WaitVisible(`#keys-body`))
	html := read(chromedp.OuterHTML("html"))
	if strings.Contains(html, secret) {
		t.Fatal("the key is shown a second time")
	}

	api := h.browser()
	expect(t, api.api("GET", "/v1/me", secret), http.StatusOK, "Acme Browsers", "Browser key")

	run(
		chromedp.Click(`button[aria-label="Revoke key Browser key"]`),
		chromedp.WaitVisible(`//tr[contains(., "Browser key")]//span[contains(., "Revoked")]`),
	)
	expectProblem(t, api.api("GET", "/v1/me", secret), http.StatusUnauthorized, "api_key_revoked")
}

// signOutAndLogIn signs the browser's person out from the dashboard and
// logs email back in through the login form.
func signOutAndLogIn(base, email string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/dashboard"),
		chromedp.Click(`form.signout button`),
		chromedp.WaitVisible(`form[action="/login"] input[name="email"]`),
		chromedp.SendKeys(`form[action="/login"] input[name="email"]`, email),
		chromedp.SendKeys(`form[action="/login"] input[name="password"]`, password),
		chromedp.Submit(`form[action="/login"] input[name="password"]`),
	}
}

// browserSteps runs groups of browser actions, each under its own deadline
// so that a stuck wait still leaves time to show the page, and fails the
// test with the page's HTML when one goes wrong.
type browserSteps struct {
	t   *testing.T
	ctx context.Context
}

func (b browserSteps) fail(err error) {
	b.t.Helper()
	html, _ := chromedp.Run(b.ctx, chromedp.OuterHTML("body"))
	b.t.Fatalf("browser: %v\npage:\n%s", err, abbreviate(html))
}

func (b browserSteps) run(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	stepCtx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(stepCtx, steps...); err != nil {
		b.fail(err)
	}
}

func (b browserSteps) read(a chromedp.Action[string]) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.fail(err)
	}
	return v
}
