package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
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
