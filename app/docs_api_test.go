package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// /docs is public and signed in alike; its Content-Security-Policy relaxes
// only what Redoc needs (inline styles, a blob: worker for its search):
// scripts come from this origin alone, nothing from another host, and the
// page itself holds no inline script. The nav and the keys page link to it.
func TestDocsPageAndItsCSP(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	for _, b := range []*browser{h.browser(), owner} {
		res := b.get("/docs")
		expect(t, res, http.StatusOK, `data-spec-url="/v1/openapi.yaml"`, `src="/static/redoc.standalone.js"`, `src="/static/redoc-init.js"`, `href="/docs/webhooks"`)
		if m := inlineScript(res.body); m != "" {
			t.Errorf("/docs has an inline script: %q", m)
		}
		directives := map[string][]string{}
		for _, d := range strings.Split(res.Header.Get("Content-Security-Policy"), ";") {
			if f := strings.Fields(d); len(f) > 0 {
				directives[f[0]] = f[1:]
			}
		}
		want := map[string]string{"default-src": "'none'", "script-src": "'self'", "connect-src": "'self'", "style-src": "'self' 'unsafe-inline'",
			"worker-src": "blob:", "img-src": "'self' data:", "font-src": "'self'", "frame-ancestors": "'none'", "base-uri": "'none'", "object-src": "'none'"}
		for name, sources := range want {
			if got := strings.Join(directives[name], " "); got != sources {
				t.Errorf("/docs CSP %s is %q, want %q", name, got, sources)
			}
		}
		for name, sources := range directives {
			for _, src := range sources {
				if strings.Contains(src, "://") || strings.Contains(src, "eval") || src == "*" {
					t.Errorf("/docs CSP %s allows %s", name, src)
				}
			}
		}
	}
	expect(t, owner.get("/keys"), http.StatusOK, `<a href="/docs">API reference</a>`)
	expect(t, owner.get("/dashboard"), http.StatusOK, `href="/docs"`)
	expect(t, h.browser().get("/login"), http.StatusOK, `href="/docs"`)
	// The rest of the site keeps its strict policy.
	if csp := owner.get("/keys").Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe") || strings.Contains(csp, "blob:") {
		t.Errorf("/keys CSP relaxed: %q", csp)
	}
}
