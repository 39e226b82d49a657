package app_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var revokeFormRE = regexp.MustCompile(`/account/sessions/([0-9a-f-]{36})/revoke`)

func TestAccountPasswordAndSessions(t *testing.T) {
	h := newHarness(t)
	first := h.signUp("Acme", "ann@acme.test")
	second := h.browser()
	expectRedirect(t, second.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}}), "/dashboard")

	page := first.get("/account")
	expect(t, page, http.StatusOK, "ann@acme.test", "This browser")
	others := revokeFormRE.FindAllStringSubmatch(page.body, -1)
	if len(others) != 1 {
		t.Fatalf("want one other session to revoke, found %d", len(others))
	}
	expectRedirect(t, first.post("/account/sessions/"+others[0][1]+"/revoke", nil), "/account")
	expectRedirect(t, second.get("/dashboard"), "/login?next=%2Fdashboard")

	// Change password: wrong current, weak new, then right.
	expect(t, first.post("/account/password", url.Values{"current_password": {"wrong one"}, "new_password": {"a new passphrase"}}), http.StatusUnprocessableEntity, "not your current password")
	expect(t, first.post("/account/password", url.Values{"current_password": {password}, "new_password": {"short"}}), http.StatusUnprocessableEntity, "too short")
	expectRedirect(t, second.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}}), "/dashboard")
	expectRedirect(t, first.post("/account/password", url.Values{"current_password": {password}, "new_password": {"a new passphrase"}}), "/account")
	expect(t, first.get("/account"), http.StatusOK, "Password changed")
	expectRedirect(t, second.get("/dashboard"), "/login?next=%2Fdashboard") // other sessions end

	// Sign out everywhere ends this session too.
	expectRedirect(t, first.post("/account/sessions/revoke-all", nil), "/login")
	expectRedirect(t, first.get("/account"), "/login?next=%2Faccount")
	if n := countRows(t, h, "SELECT count(*) FROM sessions"); n != 0 {
		t.Fatalf("%d sessions left after sign-out everywhere", n)
	}
	expect(t, h.browser().post("/account/sessions/revoke-all", nil), http.StatusSeeOther)
}

// The sessions list names each browser ("Chrome on macOS") and keeps the
// raw User-Agent in a title attribute; agents the parser can't place, such
// as curl, are "Unknown browser" with their raw header on hover.
func TestAccountSessionsNameBrowsers(t *testing.T) {
	h := newHarness(t)
	first := h.signUp("Acme", "ann@acme.test")
	agents := map[string]string{
		"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36":                   "Chrome on macOS",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1": "Safari on iOS",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0":                                                        "Firefox on Windows",
		"curl/8.5.0": "Unknown browser",
	}
	for ua := range agents {
		expectRedirect(t, h.browser().post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}}, "User-Agent", ua), "/dashboard")
	}
	page := first.get("/account")
	expect(t, page, http.StatusOK)
	for ua, label := range agents {
		want := `title="` + html.EscapeString(ua) + `">` + label + `</span>`
		if !strings.Contains(page.body, want) {
			t.Errorf("account page lacks %s", want)
		}
	}
	// The signing-up browser is Go's client: unknown, its header on hover.
	if !strings.Contains(page.body, `title="Go-http-client/1.1">Unknown browser</span>`) {
		t.Errorf("account page does not show Go's client as an unknown browser")
	}
	if strings.Contains(page.body, `>Mozilla/5.0`) {
		t.Errorf("account page still shows a raw User-Agent as text")
	}
}

// A person renames themself on the account page; the name is checked
// (required, no control characters, at most 100 characters) and the change
// audited with the old and new names.
func TestAccountNameChange(t *testing.T) {
	h := newHarness(t)
	b := h.signUp("Acme", "ann@acme.test")
	expect(t, b.get("/account"), http.StatusOK, `action="/account/name"`, `value="Owner of Acme"`)

	expect(t, b.post("/account/name", url.Values{"name": {"Ann\nAdmin"}}), http.StatusUnprocessableEntity, "control characters", `value="Ann`)
	expect(t, b.post("/account/name", url.Values{"name": {"   "}}), http.StatusUnprocessableEntity)
	long := strings.Repeat("é", 101)
	res := b.post("/account/name", url.Values{"name": {long}})
	expect(t, res, http.StatusUnprocessableEntity, long)
	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action = 'user.renamed'"); n != 0 {
		t.Fatalf("%d rename events after refused names", n)
	}

	expectRedirect(t, b.post("/account/name", url.Values{"name": {"  Ann Example  "}}), "/account")
	expect(t, b.get("/account"), http.StatusOK, "Name saved.", `value="Ann Example"`, "<dd>Ann Example</dd>")
	if n := countRows(t, h, "SELECT count(*) FROM users WHERE name = 'Ann Example'"); n != 1 {
		t.Fatalf("name not stored trimmed")
	}
	if n := countRows(t, h, `SELECT count(*) FROM audit_events WHERE action = 'user.renamed' AND tenant_id IS NULL
		AND metadata->>'from' = 'Owner of Acme' AND metadata->>'to' = 'Ann Example' AND actor_email = 'ann@acme.test'`); n != 1 {
		t.Fatalf("want one audited rename, found %d", n)
	}
	// The same name again writes nothing; 100 characters exactly is fine.
	expectRedirect(t, b.post("/account/name", url.Values{"name": {"Ann Example"}}), "/account")
	expectRedirect(t, b.post("/account/name", url.Values{"name": {strings.Repeat("é", 100)}}), "/account")
	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action = 'user.renamed'"); n != 2 {
		t.Fatalf("want two rename events, found %d", n)
	}
	// Signed out, the form only sends you to log in.
	expect(t, h.browser().post("/account/name", url.Values{"name": {"Mallory"}}), http.StatusSeeOther)
	if n := countRows(t, h, "SELECT count(*) FROM users WHERE name = 'Mallory'"); n != 0 {
		t.Fatalf("a signed-out request renamed someone")
	}
}

// Changing the address takes the password and a link mailed to the new
// address; until it is opened the old address stays, and the old address
// is told. The link works once; the change is audited.
func TestAccountEmailChange(t *testing.T) {
	h := newHarness(t)
	b := h.signUp("Acme", "ann@acme.test")
	h.signUp("Bolt", "bob@bolt.test")

	expect(t, b.post("/account/email", url.Values{"new_email": {"ann@new.test"}, "email_password": {"wrong one"}}), http.StatusUnprocessableEntity, "not your current password", `value="ann@new.test"`)
	expect(t, b.post("/account/email", url.Values{"new_email": {"Bob@Bolt.test"}, "email_password": {password}}), http.StatusUnprocessableEntity, "Another account already uses this address.")
	expect(t, b.post("/account/email", url.Values{"new_email": {"ann@acme.test"}, "email_password": {password}}), http.StatusUnprocessableEntity, "already your address")
	expect(t, b.post("/account/email", url.Values{"new_email": {"not an address"}, "email_password": {password}}), http.StatusUnprocessableEntity)

	expectRedirect(t, b.post("/account/email", url.Values{"new_email": {"ann@New.test"}, "email_password": {password}}), "/account")
	expect(t, b.get("/account"), http.StatusOK, "confirmation link to ann@new.test", "<dd>ann@acme.test</dd>", `id="pending-email"`,
		"Waiting for you to open the link sent to <strong>ann@new.test</strong>")
	h.mail.WaitFor(t, "ann@acme.test", "about to change", 15*time.Second)
	link := h.mailedLink("ann@new.test", "Confirm your new email")
	// Not yet: the old address still signs in, the new one does not.
	expectRedirect(t, h.browser().post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}}), "/dashboard")

	expect(t, h.browser().get(link), http.StatusOK, "Your email address is now ann@new.test")
	expect(t, h.browser().get(link), http.StatusNotFound, "invalid or has expired")
	if acct := b.get("/account"); !strings.Contains(acct.body, "<dd>ann@new.test</dd>") || strings.Contains(acct.body, "pending-email") {
		t.Fatalf("after the change the account page shows the new address and nothing pending:\n%s", abbreviate(acct.body))
	}
	expectRedirect(t, h.browser().post("/login", url.Values{"email": {"ann@new.test"}, "password": {password}}), "/dashboard")
	expect(t, h.browser().post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}}), http.StatusUnprocessableEntity)
	if n := countRows(t, h, `SELECT count(*) FROM audit_events WHERE action = 'user.email_changed' AND tenant_id IS NULL
		AND metadata->>'from' = 'ann@acme.test' AND metadata->>'to' = 'ann@new.test'`); n != 1 {
		t.Fatalf("want one audited email change, found %d", n)
	}
	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action = 'user.email_change_requested'"); n != 1 {
		t.Fatalf("want one audited request, found %d", n)
	}

	// A link for an address someone took in the meantime changes nothing.
	expectRedirect(t, b.post("/account/email", url.Values{"new_email": {"carol@c.test"}, "email_password": {password}}), "/account")
	link = h.mailedLink("carol@c.test", "Confirm your new email")
	h.signUp("Carol", "carol@c.test")
	expect(t, h.browser().get(link), http.StatusConflict, "Another account already uses this address.")
	expect(t, b.get("/account"), http.StatusOK, "<dd>ann@new.test</dd>")
}
