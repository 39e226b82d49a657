package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// keyIDOf is the id of the key whose secret is raw (from /v1/me).
func keyIDOf(t *testing.T, api *browser, raw string) string {
	t.Helper()
	var me struct{ Key struct{ ID string } }
	res := api.api("GET", "/v1/me", raw)
	expect(t, res, http.StatusOK)
	decodeInto(t, res, &me)
	return me.Key.ID
}

// Rolling over the API with a grace: both keys work during it, the old
// one's use is still recorded and shown on the page, and once its grace
// is over (the row moved there through the system path) it is 401
// api_key_expired while its successor goes on.
func TestAPIRollKeepsBothKeysForTheGrace(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	manager := newScopedKey(t, owner, "test", "verify", "lists", "rules", "webhooks", "keys") // a narrower key may not roll it
	old := newKey(t, owner, "test")
	api := h.browser()
	oldID := keyIDOf(t, api, old)

	res := api.apiJSON("POST", "/v1/api_keys/"+oldID+"/roll", manager, `{"grace":"1h"}`)
	expect(t, res, http.StatusCreated)
	var rolled keyView
	decodeInto(t, res, &rolled)
	if !secretRE.MatchString(rolled.Key) || rolled.Previous.ExpiresAt == nil {
		t.Fatalf("roll answer %s", res.body)
	}
	if _, err := h.sys.Exec(t.Context(), "UPDATE api_keys SET last_used_at = NULL WHERE id = $1", oldID); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{old, rolled.Key} {
		expect(t, api.api("GET", "/v1/me", raw), http.StatusOK, `"expires_at":`)
	}
	page := owner.get("/keys")
	expect(t, page, http.StatusOK, "Stops working in 59 minutes", "still in use less than a minute ago", "Rolled")
	if strings.Contains(page.body, rolled.Key) {
		t.Fatal("the keys page shows the successor's secret")
	}

	if _, err := h.sys.Exec(t.Context(), "UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", oldID); err != nil {
		t.Fatal(err)
	}
	expectProblem(t, api.api("GET", "/v1/me", old), http.StatusUnauthorized, "api_key_expired")
	expect(t, api.api("GET", "/v1/me", rolled.Key), http.StatusOK)
	expect(t, owner.get("/keys"), http.StatusOK, "Expired")
}

// A key is held to its scopes on every route family, and /v1/me says
// which it has; key management needs the keys scope and stays within the
// tenant.
func TestAPIScopesAndKeyIsolation(t *testing.T) {
	h := newHarness(t)
	acme, beta := h.signUp("Acme", "ann@acme.test"), h.signUp("Beta", "bob@beta.test")
	verifyOnly := newScopedKey(t, acme, "test", "verify")
	api := h.browser()
	expect(t, api.api("GET", "/v1/me", verifyOnly), http.StatusOK, `"scopes":["verify"]`)
	expect(t, api.apiJSON("POST", "/v1/verify", verifyOnly, `{"email":"deliverable@shop.test"}`), http.StatusOK)
	for _, path := range []string{"/v1/lists", "/v1/rules", "/v1/webhook_endpoints", "/v1/events", "/v1/api_keys"} {
		expectProblem(t, api.api("GET", path, verifyOnly), http.StatusForbidden, "insufficient_scope")
	}
	expect(t, api.api("GET", "/v1/lists", newKey(t, acme, "test")), http.StatusOK) // the default scopes

	acmeManager, betaManager := newScopedKey(t, acme, "test", "keys"), newScopedKey(t, beta, "test", "keys")
	acmeKey := keyIDOf(t, api, verifyOnly)
	res := api.api("GET", "/v1/api_keys", betaManager)
	expect(t, res, http.StatusOK)
	if strings.Contains(res.body, acmeKey) {
		t.Fatal("Beta lists Acme's key")
	}
	expectProblem(t, api.apiJSON("POST", "/v1/api_keys/"+acmeKey+"/roll", betaManager, `{"grace":"now"}`), http.StatusNotFound, "not_found")
	expectProblem(t, api.api("DELETE", "/v1/api_keys/"+acmeKey, betaManager), http.StatusNotFound, "not_found")
	expect(t, api.api("GET", "/v1/me", verifyOnly), http.StatusOK)
	res = api.api("GET", "/v1/api_keys", acmeManager)
	var list struct {
		APIKeys []struct{ ID, Key string } `json:"api_keys"`
	}
	if err := json.Unmarshal([]byte(res.body), &list); err != nil || len(list.APIKeys) != 3 || secretRE.MatchString(res.body) {
		t.Fatalf("Acme's keys: %v %s", err, res.body)
	}
}

// On the page: the policy requires an expiry, a roll shows the successor
// once and refuses a second roll, and automatic rotation's successor is
// announced, mailed as a link (never the secret) and revealed once.
func TestKeysPagePolicyRollAndReveal(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expectRedirect(t, owner.post("/keys/policy", url.Values{"max_lifetime_days": {"90"}, "max_grace_hours": {"24"}, "rotate_after_days": {"30"}, "rotation_grace_hours": {"24"}}), "/keys")
	expect(t, owner.post("/keys/policy", url.Values{"max_grace_hours": {"24"}, "rotation_grace_hours": {"168"}}), http.StatusUnprocessableEntity, "maximum grace")
	page := owner.get("/keys")
	expect(t, page, http.StatusOK, "within 90 days", `value="90" selected`)
	if strings.Contains(page.body, `<option value="never"`) {
		t.Fatal("the form offers keys that never expire against the policy")
	}
	expect(t, owner.post("/keys", url.Values{"name": {"CRM"}, "mode": {"test"}, "expires": {"never"}}), http.StatusUnprocessableEntity, "within 90 days")
	expect(t, owner.post("/keys", url.Values{"name": {"CRM"}, "mode": {"test"}, "expires": {"90"}, "scopes_shown": {"1"}}), http.StatusUnprocessableEntity, "at least one scope")
	res := owner.post("/keys", url.Values{"name": {"CRM"}, "mode": {"test"}, "expires": {"30"}, "scopes_shown": {"1"}, "scopes": {"verify", "lists"}})
	expect(t, res, http.StatusCreated, "verify, lists")
	api := h.browser()
	id := keyIDOf(t, api, secretRE.FindString(res.body))

	expect(t, owner.post("/keys/"+id+"/roll", url.Values{"grace": {"7d"}}), http.StatusUnprocessableEntity, "between now and 24 hours")
	res = owner.post("/keys/"+id+"/roll", url.Values{"grace": {"24h"}})
	expect(t, res, http.StatusCreated, "rolled", "will not be shown again", "Stops working in 23 hours", `hx-confirm="Roll key`)
	successor := secretRE.FindString(res.body)
	if successor == "" || strings.Contains(owner.get("/keys").body, successor) {
		t.Fatal("the successor's secret is not shown once")
	}
	expect(t, owner.post("/keys/"+id+"/roll", url.Values{"grace": {"now"}}), http.StatusConflict, "already rolled")
	// HTMX swaps only a 2xx: the refusal comes as the page, with why.
	expect(t, owner.post("/keys/"+id+"/roll", url.Values{"grace": {"now"}}, "HX-Request", "true"), http.StatusOK, `id="key-problem"`, "already rolled")

	// Automatic rotation: the successor is aged past 30 days and swept.
	if _, err := h.sys.Exec(t.Context(), "UPDATE api_keys SET created_at = now() - interval '31 days' WHERE key_hash IS NOT NULL AND rolled_at IS NULL"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.SweepAPIKeys(t.Context()); err != nil {
		t.Fatal(err)
	}
	link := h.mailedLink("ann@acme.test", "was rotated")
	m := h.mail.WaitFor(t, "ann@acme.test", "was rotated", 0)
	if secretRE.MatchString(m.Body) {
		t.Fatal("the rotation mail carries a secret")
	}
	page = owner.get(link)
	expect(t, page, http.StatusOK, "Automatic rotation replaced 1 key", "Awaiting reveal")
	var pending string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM api_keys WHERE key_hash IS NULL").Scan(&pending); err != nil {
		t.Fatal(err)
	}
	res = owner.post("/keys/"+pending+"/reveal", nil)
	expect(t, res, http.StatusOK, "revealed", "will not be shown again")
	revealed := secretRE.FindString(res.body)
	expect(t, api.api("GET", "/v1/me", revealed), http.StatusOK, `"scopes":["verify","lists"]`)
	expect(t, owner.post("/keys/"+pending+"/reveal", nil), http.StatusConflict, "already revealed")
	if strings.Contains(owner.get("/keys").body, "Automatic rotation replaced") {
		t.Fatal("the banner stays after the reveal")
	}

	var actions string
	if err := h.sys.QueryRow(t.Context(), `SELECT string_agg(action, ',' ORDER BY id) FROM audit_events WHERE action LIKE 'api_key.%' OR action = 'tenant.key_policy_changed'`).Scan(&actions); err != nil {
		t.Fatal(err)
	}
	if actions != "tenant.key_policy_changed,api_key.created,api_key.rolled,api_key.rotated,api_key.revealed" {
		t.Fatalf("audit trail %s", actions)
	}
}
