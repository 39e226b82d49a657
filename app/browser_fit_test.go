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

// fitWorkspace signs up a workspace with realistic data: two keys, a used
// key, a finished list, a member and a pending invite, a rule. It returns
// the owner and the path of the list's page.
func fitWorkspace(t *testing.T, h *harness) (*browser, string) {
	t.Helper()
	owner := h.signUp("Acme Fitting Rooms International", "ann@acme.test")
	live := newKey(t, owner, "live")
	newKey(t, owner, "test")
	api := h.browser()
	for _, addr := range []string{"ann@shop.test", "nobody@shop.test", "x@catchall.test"} {
		expect(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"`+addr+`"}`), http.StatusOK)
	}
	var csv strings.Builder
	csv.WriteString("name,email\r\n")
	for i := range 12 {
		fmt.Fprintf(&csv, "Person %d,person%02d@shop.test\r\n", i, i)
	}
	csv.WriteString("Ann,ann@shop.test\r\nAnn again,ANN@shop.test\r\nBroken,bad@@x\r\n")
	res := api.upload("/v1/lists", live, "", "contacts.csv", csv.String(), map[string]string{"name": "Spring newsletter contacts"})
	expect(t, res, http.StatusCreated)
	l := decodeList(t, res)
	waitList(t, api, live, l.ID)

	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	link := h.mailedLink("mia@acme.test", "invited")
	expectRedirect(t, h.browser().post(link, url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"a.rather.long.address@subsidiary.acme.test"}, "role": {"admin"}}), "/team")
	expectRedirect(t, owner.post("/rules", addRule("wildcard", "*.spam.test", "block", "bulk senders we never want")), "/rules")
	return owner, "/lists/" + l.ID
}

// Every signed-in page is no wider than a desktop or a phone screen: neither
// the document nor any card overflows the viewport, and nothing sticks out
// of (or is clipped by) its card. Wide tables scroll inside their own
// container.
func TestBrowserSignedInPagesFit(t *testing.T) {
	h := newHarness(t)
	owner, listPage := fitWorkspace(t, h)
	hookPage, disabledPage := fitWebhooks(t, h, owner)
	empty := h.signUp("Bobco", "bob@bob.test") // no keys yet: the empty state
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	signIn := func(b *browser) {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, b), URL: h.srv.URL + "/"}); err != nil {
			t.Fatalf("set cookie: %v", err)
		}
	}
	check := func(path string, size [2]int64) {
		t.Helper()
		steps.run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.srv.URL+path), chromedp.WaitReady(`#main`))
		if got := steps.read(chromedp.Evaluate[string](`String(document.documentElement.clientWidth)`)); got != fmt.Sprint(size[0]) {
			t.Fatalf("viewport is %spx wide, want %d", got, size[0])
		}
		wide := steps.read(chromedp.Evaluate[string](fitScript))
		if wide != "" {
			t.Errorf("%s at %dx%d is wider than it should be: %s", path, size[0], size[1], wide)
		}
	}
	pages := []string{"/dashboard", "/lists", listPage, "/keys", "/api-logs", "/team", "/rules", "/webhooks", hookPage, disabledPage, "/usage", "/billing", "/settings", "/account"}
	sizes := [][2]int64{{1280, 900}, {390, 844}}
	signIn(owner)
	for _, size := range sizes {
		for _, path := range pages {
			check(path, size)
		}
	}
	signIn(empty)
	for _, size := range sizes {
		check("/keys", size)
		check("/webhooks", size)
	}
}

// fitScript lists what is wider than the viewport or its card; empty when
// everything fits.
const fitScript = `(() => {
	const vw = document.documentElement.clientWidth;
	const out = [];
	if (document.documentElement.scrollWidth > vw) out.push("document " + document.documentElement.scrollWidth + "px");
	const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "");
	const scrolls = el => { const ox = getComputedStyle(el).overflowX; return ox === "auto" || ox === "scroll"; };
	for (const card of document.querySelectorAll(".card")) {
		const r = card.getBoundingClientRect();
		if (r.right > vw + 0.5 || r.left < -0.5) out.push(name(card) + " " + Math.round(r.left) + ".." + Math.round(r.right) + "px");
		// A card that clips its content (overflow: hidden) is as wrong as
		// content spilling out of it.
		if (!scrolls(card) && card.scrollWidth > card.clientWidth + 1) out.push(name(card) + " holds " + card.scrollWidth + "px of content in " + card.clientWidth + "px");
		for (const el of card.querySelectorAll("*")) {
			const e = el.getBoundingClientRect();
			if (e.width === 0 || (e.right <= r.right + 0.5 && e.left >= r.left - 0.5)) continue;
			let inScroller = false;
			for (let p = el.parentElement; p && p !== card; p = p.parentElement) {
				if (scrolls(p)) { inScroller = true; break; }
			}
			if (!inScroller) { out.push(name(el) + " in " + name(card) + " spans " + Math.round(e.left) + ".." + Math.round(e.right) + "px, the card " + Math.round(r.left) + ".." + Math.round(r.right) + "px"); break; }
		}
	}
	// An empty state is read where it stands, not scrolled out of view.
	for (const el of document.querySelectorAll(".card .empty-row td, .card .empty-state")) {
		const card = el.closest(".card").getBoundingClientRect();
		const range = document.createRange();
		range.selectNodeContents(el);
		for (const t of range.getClientRects()) {
			if (t.width > 0 && (t.left < card.left - 0.5 || t.right > card.right + 0.5)) { out.push("the empty state “" + el.textContent.trim() + "” spans " + Math.round(t.left) + ".." + Math.round(t.right) + "px, its card " + Math.round(card.left) + ".." + Math.round(card.right) + "px"); break; }
		}
	}
	return out.join("; ");
})()`
