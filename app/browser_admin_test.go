package app_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// A platform admin finds a workspace, suspends it (asked first), its
// owner sees the suspended page, the admin resumes it and the owner is
// back; the console's pages fit a laptop and a phone.
func TestBrowserAdminSuspendsAndResumes(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme Widgets", "ann@acme.test")
	newKey(t, owner, "live")
	admin := h.platformAdmin("ops@mailvet.test")
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	base := h.srv.URL
	as := func(b *browser) {
		t.Helper()
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, b), URL: base + "/"}); err != nil {
			t.Fatalf("set cookie: %v", err)
		}
	}

	as(admin)
	run(
		chromedp.Navigate(base+"/admin"),
		chromedp.SendKeys(`#q`, "ann@acme"),
		chromedp.Submit(`#q`),
		chromedp.WaitVisible(`//table[@id="tenants-table"]//a[contains(., "Acme Widgets")]`),
		chromedp.Click(`//table[@id="tenants-table"]//a[contains(., "Acme Widgets")]`),
		chromedp.WaitVisible(`input[name="reason"]`),
		chromedp.SendKeys(`input[name="reason"]`, "Chargebacks under review"),
		chromedp.Click(`//button[contains(., "Suspend workspace")]`),
		chromedp.WaitVisible(`//button[contains(., "Resume workspace")]`),
	)
	tenantPage := read(chromedp.Location())
	if html := read(chromedp.OuterHTML("#main")); !regexp.MustCompile(`Chargebacks under review`).MatchString(html) {
		t.Fatal("the tenant's page does not show the reason")
	}

	as(owner)
	run(chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(`//h1[contains(., "Account suspended")]`))

	as(admin)
	run(
		chromedp.Navigate(tenantPage),
		chromedp.Click(`//button[contains(., "Resume workspace")]`),
		chromedp.WaitVisible(`//button[contains(., "Suspend workspace")]`),
	)

	as(owner)
	run(chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(`nav a[href="/keys"]`))

	// The console fits a laptop and a phone.
	as(admin)
	userPage := "/admin/users/" + regexp.MustCompile(`/admin/users/([0-9a-f-]{36})`).FindStringSubmatch(admin.get("/admin/users?q=ann").body)[1]
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		for _, path := range []string{"/admin", tenantPage[len(base):], "/admin/users", userPage, "/admin/dead-letters"} {
			run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(base+path), chromedp.WaitReady(`#main`))
			if got := read(chromedp.Evaluate[string](`String(document.documentElement.clientWidth)`)); got != fmt.Sprint(size[0]) {
				t.Fatalf("viewport is %spx wide, want %d", got, size[0])
			}
			if wide := read(chromedp.Evaluate[string](fitScript)); wide != "" {
				t.Errorf("%s at %dx%d is wider than it should be: %s", path, size[0], size[1], wide)
			}
		}
	}
}
