package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// A resolver that denies a domain that certainly exists (the canary,
// here one the simulated world does not declare) fails /health's "dns"
// check, and its NXDOMAIN answers are unknown/dns_failure: neither cached
// nor charged.
func TestHealthDNSFailsWhenTheResolverLies(t *testing.T) {
	h := newHarness(t, harnessOptions{dnsCanaries: []string{"gmail-like.test"}})
	owner := h.signUp("Acme", "ann@acme.test")
	live := newKey(t, owner, "live")
	api := h.browser()
	for range 2 {
		v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"john.smith@gmail-like.test"}`))
		if v.Status != "unknown" || v.Reason != "dns_failure" || v.Cached {
			t.Fatalf("lying resolver verification %+v", v)
		}
	}
	if n := countRows(t, h, "SELECT count(*) FROM verifications WHERE cached"); n != 0 {
		t.Fatalf("%d cached verifications", n)
	}

	req, _ := http.NewRequest("GET", h.srv.URL+"/health", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	expect(t, api.do(req), http.StatusOK, `"dns":{"status":"failing"`, "denies domains that certainly exist", "gmail-like.test")
	public := api.get("/health")
	expect(t, public, http.StatusOK, `"status":"degraded"`, `"dns":{"status":"failing"}`)
	if strings.Contains(public.body, "gmail-like") || strings.Contains(public.body, "detail") {
		t.Fatalf("public /health shows why DNS fails: %s", public.body)
	}
}

// An honest resolver (the harness's canary is a domain of the world):
// "dns" is ok and NXDOMAIN stays a verdict.
func TestHealthDNSOKWhenTheResolverIsHonest(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live := newKey(t, owner, "live")
	api := h.browser()
	v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"ann@nowhere.test"}`))
	if v.Status != "undeliverable" || v.Reason != "invalid_domain" {
		t.Fatalf("NXDOMAIN verification %+v", v)
	}
	res := api.get("/health")
	if !strings.Contains(res.body, `"dns":{"status":"ok"}`) {
		t.Fatalf("/health: %s", res.body)
	}
}
