package app_test

import (
	"net/url"
	"testing"
)

// openRedirects are targets a browser would follow to another site: it
// drops tabs and line breaks, reads backslashes as slashes, and some
// proxies decode %2F.
var openRedirects = []string{
	"/\t/other.host", "/%09/other.host", "//other.host", `/\other.host`, `\\other.host`, "/%5Cother.host",
	"/%2F/other.host", "/\r\n/other.host", "https://other.host/", "/\x00/other.host",
}

func TestOpenRedirectsAreRefused(t *testing.T) {
	h := newHarness(t)
	h.signUp("Acme", "ann@acme.test")
	for _, next := range openRedirects {
		// After log-in.
		b := h.browser()
		res := b.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}, "next": {next}})
		expectRedirect(t, res, "/dashboard")
		// GET /login when already signed in (the query is sent escaped,
		// so the server sees the very bytes above).
		expectRedirect(t, b.get("/login?next="+url.QueryEscape(next)), "/dashboard")
		// Log-out.
		expectRedirect(t, b.post("/logout", url.Values{"next": {next}}), "/dashboard")
	}
	// Targets on this site still work.
	b := h.browser()
	expectRedirect(t, b.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}, "next": {"/lists?cursor=x"}}), "/lists?cursor=x")
	expectRedirect(t, b.get("/login?next=%2Fkeys"), "/keys")
	expectRedirect(t, b.post("/logout", url.Values{"next": {"/login?bye=1"}}), "/login?bye=1")
}
