package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func (b *browser) apiJSON(method, path, key, body string) response {
	b.h.t.Helper()
	req, _ := http.NewRequest(method, b.h.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	return b.do(req)
}

type verification struct {
	Email, Normalized, Status, Reason, Domain string
	Score                                     int
	Cached                                    bool
	MX                                        *string
	Flags                                     struct {
		Disposable, Role, Free bool
		CatchAll               bool `json:"catch_all"`
	}
}

func decodeVerification(t *testing.T, res response) verification {
	t.Helper()
	expect(t, res, http.StatusOK)
	var v verification
	if err := json.Unmarshal([]byte(res.body), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// newKey creates a key through the page and returns its secret.
func newKey(t *testing.T, b *browser, mode string) string {
	t.Helper()
	res := b.post("/keys", url.Values{"name": {mode + " key"}, "mode": {mode}})
	expect(t, res, http.StatusCreated)
	return secretRE.FindString(res.body)
}

func TestAPIVerifyLiveCacheAndTestMode(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live, test := newKey(t, owner, "live"), newKey(t, owner, "test")
	api := h.browser()

	v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"Ann@Shop.test"}`))
	if v.Status != "deliverable" || v.Reason != "accepted_email" || v.Normalized != "Ann@shop.test" || v.Cached || v.MX == nil || *v.MX != "mx.shop.test" {
		t.Fatalf("live verification %+v", v)
	}
	v = decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"ann@shop.test"}`))
	if !v.Cached || v.Status != "deliverable" {
		t.Fatalf("second verification not from cache: %+v", v)
	}
	v = decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"nobody@shop.test"}`))
	if v.Status != "undeliverable" || v.Reason != "rejected_email" {
		t.Fatalf("unknown mailbox %+v", v)
	}
	v = decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"x@catchall.test"}`))
	if v.Status != "risky" || !v.Flags.CatchAll {
		t.Fatalf("catch-all %+v", v)
	}
	// An unparseable address is a verification, not an error.
	v = decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"not an address"}`))
	if v.Status != "undeliverable" || v.Reason != "invalid_syntax" {
		t.Fatalf("bad syntax %+v", v)
	}

	res := api.apiJSON("DELETE", "/v1/cache", live, "")
	expect(t, res, http.StatusOK, `"cleared":3`)
	v = decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"ann@shop.test"}`))
	if v.Cached {
		t.Fatal("cache not cleared")
	}

	// Test keys never touch the network.
	before := h.world.TotalStats().Connections
	v = decodeVerification(t, api.apiJSON("POST", "/v1/verify", test, `{"email":"undeliverable@shop.test"}`))
	if v.Status != "undeliverable" || v.Reason != "rejected_email" {
		t.Fatalf("test mode %+v", v)
	}
	if h.world.TotalStats().Connections != before {
		t.Fatal("a test key touched the network")
	}

	if n := countRows(t, h, "SELECT count(*) FROM verifications WHERE test_mode"); n != 1 {
		t.Fatalf("%d test-mode verifications recorded, want 1", n)
	}
	if n := countRows(t, h, "SELECT count(*) FROM verifications WHERE cached"); n != 1 {
		t.Fatalf("%d cached verifications recorded, want 1", n)
	}
	expect(t, owner.get("/dashboard"), http.StatusOK, "Cache hits")
}

func TestAPIVerifyBadRequests(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	expectProblem(t, api.apiJSON("POST", "/v1/verify", key, `{"email":`), http.StatusBadRequest, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/verify", key, `{}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/verify", key, `{"email":"a@b.test","extra":true}`), http.StatusBadRequest, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/verify", key, `{"email":"`+strings.Repeat("a", 2<<20)+`"}`), http.StatusRequestEntityTooLarge, "body_too_large")
	expectProblem(t, api.apiJSON("POST", "/v1/verify", "mv_live_nope", `{"email":"a@b.test"}`), http.StatusUnauthorized, "invalid_api_key")
	if n := countRows(t, h, "SELECT count(*) FROM verifications"); n != 0 {
		t.Fatalf("refused requests recorded %d verifications", n)
	}
}

func TestAPIVerifyDeadline(t *testing.T) {
	h := newHarness(t, harnessOptions{verifyTimeout: 500 * time.Millisecond})
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	v := decodeVerification(t, h.browser().apiJSON("POST", "/v1/verify", key, `{"email":"ann@silent.test"}`))
	if v.Status != "unknown" || v.Reason != "timeout" {
		t.Fatalf("past the deadline: %+v", v)
	}
}

// Each tenant has its own cache: B's lookups never hit A's entries.
func TestCacheIsPerTenant(t *testing.T) {
	h := newHarness(t)
	a, b := h.signUp("Alpha", "ann@alpha.test"), h.signUp("Beta", "bob@beta.test")
	keyA, keyB := newKey(t, a, "live"), newKey(t, b, "live")
	api := h.browser()
	decodeVerification(t, api.apiJSON("POST", "/v1/verify", keyA, `{"email":"bob@shop.test"}`))
	if v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", keyB, `{"email":"bob@shop.test"}`)); v.Cached {
		t.Fatal("tenant B was served tenant A's cached result")
	}
	expect(t, api.apiJSON("DELETE", "/v1/cache", keyB, ""), http.StatusOK, `"cleared":1`)
	if v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", keyA, `{"email":"bob@shop.test"}`)); !v.Cached {
		t.Fatal("B's clear emptied A's cache")
	}
}

func TestDashboardVerifyBoxAndCacheSettings(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	res := owner.post("/verify", url.Values{"email": {"bob@shop.test"}}, "HX-Request", "true")
	expect(t, res, http.StatusOK, "deliverable", "mx.shop.test", `id="verify-box"`)
	expect(t, owner.post("/verify", url.Values{"email": {""}}, "HX-Request", "true"), http.StatusOK, "This field is required.")
	expect(t, owner.post("/verify", url.Values{"email": {"nobody@shop.test"}}), http.StatusOK, "undeliverable", "Verifications (30 days)")

	expect(t, owner.get("/settings"), http.StatusOK, "Result cache", "The cache holds 2 addresses")
	expect(t, owner.post("/settings/cache", url.Values{"cache_ttl_days": {"5"}}), http.StatusUnprocessableEntity)
	expectRedirect(t, owner.post("/settings/cache", url.Values{"cache_ttl_days": {"30"}}), "/settings")
	expect(t, owner.get("/settings"), http.StatusOK, `value="30" selected`)
	expectRedirect(t, owner.post("/settings/cache/clear", nil), "/settings")
	expect(t, owner.get("/settings"), http.StatusOK, "2 addresses forgotten", "The cache holds 0 addresses")
}
