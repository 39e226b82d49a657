package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var secretRE = regexp.MustCompile(`mv_(live|test)_[A-Za-z0-9_-]{43}`)

func (b *browser) api(method, path, key string) response {
	b.h.t.Helper()
	req, _ := http.NewRequest(method, b.h.srv.URL+path, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return b.do(req)
}

func TestKeysPageAndAPIMe(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expect(t, owner.get("/keys"), http.StatusOK, "API keys", `name="name"`)

	// HTMX create: the partial carries the secret, once.
	expect(t, owner.post("/keys", url.Values{"name": {""}, "mode": {"live"}}, "HX-Request", "true"), http.StatusOK, "This field is required.")
	expect(t, owner.post("/keys", url.Values{"name": {"x"}, "mode": {"prod"}}, "HX-Request", "true"), http.StatusOK, "Choose one of")
	res := owner.post("/keys", url.Values{"name": {"CRM sync"}, "mode": {"live"}}, "HX-Request", "true")
	expect(t, res, http.StatusOK, "will not be shown again", "CRM sync")
	secret := secretRE.FindString(res.body)
	if !strings.HasPrefix(secret, "mv_live_") {
		t.Fatalf("no live key in response:\n%s", res.body)
	}
	page := owner.get("/keys")
	expect(t, page, http.StatusOK, "CRM sync", secret[:14])
	if strings.Contains(page.body, secret) {
		t.Fatal("the keys page shows the secret again")
	}

	// Without HTMX the full page shows it.
	res = owner.post("/keys", url.Values{"name": {"Tests"}, "mode": {"test"}})
	expect(t, res, http.StatusCreated, "will not be shown again")
	testSecret := secretRE.FindString(res.body)
	if !strings.HasPrefix(testSecret, "mv_test_") {
		t.Fatalf("no test key in page")
	}

	api := h.browser()
	res = api.api("GET", "/v1/me", secret)
	expect(t, res, http.StatusOK)
	if res.Header.Get("X-Request-Id") == "" {
		t.Fatal("no X-Request-Id")
	}
	var me struct {
		Tenant struct{ Name, Slug string }
		Key    struct{ Name, Mode, Prefix string }
	}
	if err := json.Unmarshal([]byte(res.body), &me); err != nil {
		t.Fatal(err)
	}
	if me.Tenant.Name != "Acme" || me.Key.Name != "CRM sync" || me.Key.Mode != "live" || !strings.HasPrefix(secret, me.Key.Prefix) {
		t.Fatalf("me = %+v", me)
	}
	if strings.Contains(res.body, secret) {
		t.Fatal("/v1/me echoes the secret")
	}

	// Revoke over HTMX: the row comes back revoked; the key stops at once.
	var keyID string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM api_keys WHERE name = 'CRM sync'").Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	expect(t, owner.post("/keys/"+keyID+"/revoke", nil, "HX-Request", "true"), http.StatusOK, "Revoked", "key-"+keyID)
	expectProblem(t, api.api("GET", "/v1/me", secret), http.StatusUnauthorized, "api_key_revoked")
	expect(t, api.api("GET", "/v1/me", testSecret), http.StatusOK, `"mode":"test"`)
}

func TestUnverifiedOwnerCannotCreateKeys(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	expectRedirect(t, b.post("/signup", url.Values{"company": {"Acme"}, "name": {"Ann"}, "email": {"ann@acme.test"}, "password": {password}}), "/dashboard")
	expect(t, b.get("/keys"), http.StatusOK, "Verify your email before creating keys")
	expect(t, b.post("/keys", url.Values{"name": {"k"}, "mode": {"live"}}, "HX-Request", "true"), http.StatusOK, "Verify your email address before creating keys")
	if n := countRows(t, h, "SELECT count(*) FROM api_keys"); n != 0 {
		t.Fatal("unverified owner created a key")
	}
	// Resending the link sends a second mail.
	expectRedirect(t, b.post("/verify-email/resend", nil), "/dashboard")
	expect(t, b.get("/dashboard"), http.StatusOK, "We sent a new verification link")
}

// Tenant B's people get "not found" for everything of tenant A.
func TestPagesIsolateTenants(t *testing.T) {
	h := newHarness(t)
	ann := h.signUp("Alpha", "ann@alpha.test")
	bob := h.signUp("Beta", "bob@beta.test")
	expect(t, ann.post("/keys", url.Values{"name": {"alpha key"}, "mode": {"live"}}), http.StatusCreated)
	expectRedirect(t, ann.post("/team/invites", url.Values{"email": {"new@alpha.test"}, "role": {"member"}}), "/team")
	var keyID, inviteID string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM api_keys").Scan(&keyID); err != nil {
		t.Fatal(err)
	}
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM invites").Scan(&inviteID); err != nil {
		t.Fatal(err)
	}
	annID := userID(t, h, "ann@alpha.test")

	for _, path := range []string{"/keys/" + keyID + "/revoke", "/team/invites/" + inviteID + "/revoke", "/team/members/" + annID + "/remove"} {
		expect(t, bob.post(path, nil), http.StatusNotFound)
	}
	expect(t, bob.post("/team/members/"+annID+"/role", url.Values{"role": {"member"}}), http.StatusNotFound)
	for _, path := range []string{"/keys", "/team", "/dashboard"} {
		res := bob.get(path)
		expect(t, res, http.StatusOK)
		if strings.Contains(res.body, "alpha key") || strings.Contains(res.body, "ann@alpha.test") || strings.Contains(res.body, "new@alpha.test") {
			t.Fatalf("%s shows Alpha's data to Beta", path)
		}
	}
	if n := countRows(t, h, "SELECT count(*) FROM api_keys WHERE revoked_at IS NULL"); n != 1 {
		t.Fatal("Beta revoked Alpha's key")
	}
	if n := countRows(t, h, "SELECT count(*) FROM invites"); n != 1 {
		t.Fatal("Beta revoked Alpha's invite")
	}
}
