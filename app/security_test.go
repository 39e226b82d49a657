package app_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// inlineCode finds what a strict Content-Security-Policy blocks, but for
// inline scripts (see inlineScript): a style element or attribute, an on…
// handler attribute, a javascript: URL.
var inlineCode = regexp.MustCompile(`(?i)<style[\s>]|\sstyle\s*=|\son[a-z]+\s*=|javascript:`)

var scriptTag = regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)

// inlineScript returns the first script element that is not an empty
// element loading a file.
func inlineScript(html string) string {
	for _, m := range scriptTag.FindAllStringSubmatch(html, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			return m[0]
		}
	}
	return ""
}

func TestSecurityHeadersAndNoInlineCode(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	newKey(t, owner, "live")
	expect(t, owner.post("/lists", nil), http.StatusBadRequest) // not multipart
	res := owner.upload("/lists", "", "", "a.csv", "ann@shop.test\n", nil)
	expect(t, res, http.StatusSeeOther)
	listPage := res.Header.Get("Location")

	public, signedIn := h.browser(), owner
	pages := []struct {
		b    *browser
		path string
	}{
		{public, "/login"}, {public, "/signup"}, {public, "/forgot-password"}, {public, "/reset-password?token=x"}, {public, "/no/such/page"},
		{signedIn, "/dashboard"}, {signedIn, "/usage"}, {signedIn, "/lists"}, {signedIn, listPage}, {signedIn, listPage + "/progress"},
		{signedIn, "/keys"}, {signedIn, "/team"}, {signedIn, "/rules"}, {signedIn, "/webhooks"}, {signedIn, "/settings"}, {signedIn, "/billing"}, {signedIn, "/account"},
	}
	for _, p := range pages {
		res := p.b.get(p.path)
		if res.StatusCode >= 500 {
			t.Fatalf("GET %s: %d", p.path, res.StatusCode)
		}
		csp := res.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", p.path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-") {
			t.Errorf("GET %s: CSP %q allows unsafe code", p.path, csp)
		}
		for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"} {
			if got := res.Header.Get(name); got != want {
				t.Errorf("GET %s: %s %q, want %q", p.path, name, got, want)
			}
		}
		if res.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("GET %s: HSTS on a plain-http server", p.path)
		}
		if res.Header.Get("X-Request-Id") == "" {
			t.Errorf("GET %s: no X-Request-Id", p.path)
		}
		if m := inlineCode.FindString(res.body); m != "" {
			t.Errorf("GET %s: inline code a strict CSP blocks: %q", p.path, m)
		}
		if m := inlineScript(res.body); m != "" {
			t.Errorf("GET %s: inline script: %q", p.path, m)
		}
	}
	// API answers and static files carry them too.
	for _, path := range []string{"/v1/me", "/static/style.css", "/healthz"} {
		if res := public.get(path); res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s without security headers: %v", path, res.Header)
		}
	}
}
