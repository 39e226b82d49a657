package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func expectProblem(t *testing.T, res response, status int, code string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, res.body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q", ct)
	}
	var p struct {
		Type, Title, Detail, Code string
		Status                    int
	}
	if err := json.Unmarshal([]byte(res.body), &p); err != nil {
		t.Fatal(err)
	}
	if p.Code != code || p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" {
		t.Fatalf("problem %+v, want code %s", p, code)
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Fatal("problem without X-Request-Id")
	}
}

func TestAPIKeyErrors(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	expectProblem(t, b.api("GET", "/v1/me", ""), http.StatusUnauthorized, "missing_api_key")
	expectProblem(t, b.api("GET", "/v1/me", "mv_live_tooshort"), http.StatusUnauthorized, "invalid_api_key")
	expectProblem(t, b.api("GET", "/v1/me", "mv_live_"+strings.Repeat("A", 43)), http.StatusUnauthorized, "invalid_api_key")
	req, _ := http.NewRequest("GET", h.srv.URL+"/v1/me", nil)
	req.Header.Set("Authorization", "Basic dXNlcjpwYXNz")
	expectProblem(t, b.do(req), http.StatusUnauthorized, "missing_api_key")
	expectProblem(t, b.api("GET", "/v1/nothing-here", ""), http.StatusNotFound, "not_found")
}

func TestAPIKeyOfSuspendedTenant(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	res := owner.post("/keys", map[string][]string{"name": {"k"}, "mode": {"test"}})
	secret := secretRE.FindString(res.body)
	if _, err := h.sys.Exec(t.Context(), "UPDATE tenants SET status = 'suspended'"); err != nil {
		t.Fatal(err)
	}
	expectProblem(t, h.browser().api("GET", "/v1/me", secret), http.StatusForbidden, "account_suspended")
	expect(t, owner.get("/dashboard"), http.StatusForbidden, "suspended")
}

func TestRequestIDIsEchoedOrMade(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	req, _ := http.NewRequest("GET", h.srv.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "trace-123")
	if got := b.do(req).Header.Get("X-Request-Id"); got != "trace-123" {
		t.Fatalf("request id %q", got)
	}
	req.Header.Set("X-Request-Id", "bad id")
	if got := b.do(req).Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Fatalf("request id %q", got)
	}
}

func TestHealth(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	expect(t, b.get("/healthz"), http.StatusOK, "ok")
	monitor := func() response {
		req, _ := http.NewRequest("GET", h.srv.URL+"/health", nil)
		req.Header.Set("Authorization", "Bearer "+metricsToken)
		return b.do(req)
	}

	// River elects a leader within seconds of the worker starting.
	waitHealth(t, h, "ok")
	res := monitor()
	expect(t, res, http.StatusOK, `"database"`, `"migrations"`, `"river"`, `"latency_ms"`)
	// In public, statuses only: no latencies, no River client id.
	public := b.get("/health")
	expect(t, public, http.StatusOK, `"database":{"status":"ok"}`, `"river":{"status":"ok"}`)
	if strings.Contains(public.body, "latency_ms") || strings.Contains(public.body, "leader") {
		t.Fatalf("public /health shows details: %s", public.body)
	}

	// With River's leader gone the service still serves: 200, degraded.
	if _, err := h.owner().Exec(t.Context(), "DROP TABLE river_leader"); err != nil {
		t.Fatal(err)
	}
	expect(t, monitor(), http.StatusOK, `"status":"degraded"`, "no River leader")
	public = b.get("/health")
	expect(t, public, http.StatusOK, `"status":"degraded"`, `"river":{"status":"failing"}`)
	if strings.Contains(public.body, "River leader") || strings.Contains(public.body, "detail") {
		t.Fatalf("public /health shows why it fails: %s", public.body)
	}
	// A wrong token is the public view.
	req, _ := http.NewRequest("GET", h.srv.URL+"/health", nil)
	req.Header.Set("Authorization", "Bearer not-the-token")
	if wrong := b.do(req); strings.Contains(wrong.body, "detail") {
		t.Fatalf("wrong token sees details: %s", wrong.body)
	}
}

func TestUnknownPage(t *testing.T) {
	h := newHarness(t)
	expect(t, h.browser().get("/no/such/page"), http.StatusNotFound, "Page not found")
	expect(t, h.browser().get("/"), http.StatusOK, "Sign up") // the front page (front_test.go)
	expect(t, h.browser().get("/static/style.css"), http.StatusOK, "{")
}

// A route asked with a method it does not answer is 405 with Allow, not
// 404; a path no route has stays 404.
func TestAPIWrongMethodIs405(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	for _, c := range []struct{ method, path, allow string }{
		{"GET", "/v1/verify", "POST"},
		{"PUT", "/v1/lists/3f0c8a52-0000-4000-8000-000000000000/cancel", "POST"},
		{"POST", "/v1/me", "GET, HEAD"},
		{"PATCH", "/v1/lists/3f0c8a52-0000-4000-8000-000000000000", "GET, HEAD, DELETE"},
	} {
		res := b.api(c.method, c.path, "")
		expectProblem(t, res, http.StatusMethodNotAllowed, "method_not_allowed")
		if got := res.Header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	expectProblem(t, b.api("GET", "/v1/nothing-here", ""), http.StatusNotFound, "not_found")
}
