package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

// An owner gives a key its own, lower limits on the keys page; the API
// holds the key to them at once, and blank gives the plan's back.
func TestKeyLimitsSetOnThePageApplyToTheAPI(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	secret := secretRE.FindString(owner.post("/keys", url.Values{"name": {"Signup form"}, "mode": {"live"}}).body)
	var keyID string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM api_keys").Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	limits := func(rate, daily, monthly string, headers ...string) response {
		t.Helper()
		return owner.post("/keys/"+keyID+"/limits", url.Values{"rate_per_minute": {rate}, "daily_limit": {daily}, "monthly_limit": {monthly}}, headers...)
	}
	htmx := []string{"HX-Request", "true"}
	api := h.browser()
	verify := func(i int) response {
		t.Helper()
		return api.apiJSON("POST", "/v1/verify", secret, fmt.Sprintf(`{"email":"nobody%d@shop.test"}`, i))
	}
	expect(t, owner.get("/keys"), http.StatusOK, "Plan&#39;s", "Limits of key Signup form")

	// Refused values say why and change nothing (the free plan allows 60
	// requests a minute).
	expect(t, limits("0", "", "", htmx...), http.StatusOK, "must be a whole number of at least 1", "<details class=\"key-limits\" open")
	expect(t, limits("", "many", "", htmx...), http.StatusOK, "Verifications per day must be a whole number")
	expect(t, limits("61", "", "", htmx...), http.StatusOK, "can be at most 60, your plan")
	expect(t, limits("61", "", ""), http.StatusUnprocessableEntity, "can be at most 60")
	if n := countRows(t, h, "SELECT count(*) FROM api_keys WHERE rate_per_minute IS NOT NULL OR daily_limit IS NOT NULL"); n != 0 {
		t.Fatal("a refused limit was saved")
	}

	// Two requests a minute: the third is rate limited.
	expect(t, limits("2", "", "", htmx...), http.StatusOK, "2/min", "key-"+keyID)
	for i := range 2 {
		expect(t, verify(i), http.StatusOK)
	}
	res := verify(2)
	expectProblem(t, res, http.StatusTooManyRequests, "rate_limited")
	if res.Header.Get("RateLimit-Limit") != "2" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("headers %v", res.Header)
	}

	// Three verifications a day on this key (the page form, no HTMX): the
	// fourth is refused with the numbers, though the plan has room.
	expectRedirect(t, limits("", "3", "1,000"), "/keys")
	expect(t, owner.get("/keys"), http.StatusOK, "3/day · 1,000/month", "Limits of key “Signup form” saved")
	expect(t, api.api("GET", "/v1/me", secret), http.StatusOK,
		`"limits":{"rate_per_minute":null,"daily_limit":3,"monthly_limit":1000}`, `"plan":{"id":"free","name":"Free"`)
	for i := 10; i < 13; i++ {
		expect(t, verify(i), http.StatusOK)
	}
	expectProblem(t, verify(13), http.StatusTooManyRequests, "quota_exceeded")
	expect(t, verify(13), http.StatusTooManyRequests, "needs 1, 0 left today on this key")

	// Blank again: the plan's limits.
	expect(t, limits("", "", "", htmx...), http.StatusOK, "Plan&#39;s")
	expect(t, verify(14), http.StatusOK)
	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action = 'api_key.limits_changed'"); n != 3 {
		t.Fatalf("%d audit entries for 3 changes", n)
	}

	// Members cannot change limits; another workspace's owner finds nothing.
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	mia := h.browser()
	expectRedirect(t, mia.post(h.mailedLink("mia@acme.test", "invited"), url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	expect(t, mia.post("/keys/"+keyID+"/limits", url.Values{"daily_limit": {"1"}}), http.StatusForbidden)
	bob := h.signUp("Beta", "bob@beta.test")
	expect(t, bob.post("/keys/"+keyID+"/limits", url.Values{"daily_limit": {"1"}}), http.StatusNotFound)
	if n := countRows(t, h, "SELECT count(*) FROM api_keys WHERE daily_limit IS NOT NULL"); n != 0 {
		t.Fatal("a member or another workspace changed the key's limits")
	}
}
