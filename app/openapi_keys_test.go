package app_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// newScopedKey creates a key on the keys page with the scopes given.
func newScopedKey(t *testing.T, b *browser, mode string, scopes ...string) string {
	t.Helper()
	form := url.Values{"name": {mode + " key"}, "mode": {mode}, "scopes_shown": {"1"}, "scopes": scopes}
	res := b.post("/keys", form)
	expect(t, res, http.StatusCreated)
	return secretRE.FindString(res.body)
}

type keyView struct {
	ID        string
	Key       string
	Scopes    []string
	ExpiresAt *time.Time `json:"expires_at"`
	Previous  struct {
		ID        string
		ExpiresAt *time.Time `json:"expires_at"`
	}
}

// contractKeys drives key management to its successes and errors: a key
// with the keys scope lists, creates, rolls and revokes; one without is
// refused, and so is every attempt at more power than the caller's.
func contractKeys(t *testing.T, c *contract, acme *browser, plain, other string) {
	manager := newScopedKey(t, acme, "test", "keys", "verify")
	expect(t, c.call("GET", "/v1/api_keys", manager, ""), http.StatusOK, `"scopes":["verify","keys"]`)
	expectProblem(t, c.call("GET", "/v1/api_keys", plain, ""), http.StatusForbidden, "insufficient_scope")

	res := c.call("POST", "/v1/api_keys", manager, `{"name":"CI","scopes":["verify"],"expires_in_days":30}`)
	expect(t, res, http.StatusCreated, `"key":"mv_test_`)
	var child keyView
	decodeInto(t, res, &child)
	if child.ExpiresAt == nil || time.Until(*child.ExpiresAt) < 29*24*time.Hour {
		t.Errorf("child expires %v, want in 30 days", child.ExpiresAt)
	}
	expectProblem(t, c.call("POST", "/v1/api_keys", manager, `{"name":"x","scopes":["lists"]}`), http.StatusForbidden, "insufficient_scope")
	expectProblem(t, c.call("POST", "/v1/api_keys", manager, `{"name":"x","mode":"live"}`), http.StatusForbidden, "insufficient_scope")
	expectProblem(t, c.call("POST", "/v1/api_keys", manager, `{"name":"x","scopes":["everything"]}`), http.StatusUnprocessableEntity, "unknown_scope")
	expectProblem(t, c.call("POST", "/v1/api_keys", manager, `{"name":"x","expires_in_days":4000}`), http.StatusUnprocessableEntity, "invalid_expiry")
	expectProblem(t, c.refused("POST", "/v1/api_keys", manager, `{"name":"x","extra":1}`), http.StatusBadRequest, "invalid_request")

	path := "/v1/api_keys/" + child.ID
	res = c.call("POST", path+"/roll", manager, `{"grace":"1h"}`)
	expect(t, res, http.StatusCreated, `"key":"mv_test_`, `"rolled_from":"`+child.ID+`"`)
	var rolled keyView
	decodeInto(t, res, &rolled)
	if rolled.Previous.ID != child.ID || rolled.Previous.ExpiresAt == nil || time.Until(*rolled.Previous.ExpiresAt) > time.Hour {
		t.Errorf("the old key after a roll with 1h of grace: %+v", rolled.Previous)
	}
	expectProblem(t, c.call("POST", path+"/roll", manager, `{"grace":"1h"}`), http.StatusConflict, "key_already_rolled")
	expectProblem(t, c.call("POST", "/v1/api_keys/"+rolled.ID+"/roll", manager, `{"grace":"8d"}`), http.StatusUnprocessableEntity, "invalid_grace")
	expectProblem(t, c.call("POST", "/v1/api_keys/"+rolled.ID+"/roll", manager, `{"grace":"soon"}`), http.StatusUnprocessableEntity, "invalid_grace")
	expectProblem(t, c.refused("POST", "/v1/api_keys/"+rolled.ID+"/roll", manager, `{}`), http.StatusUnprocessableEntity, "invalid_request")

	var otherKey struct{ Key struct{ ID string } }
	me := c.call("GET", "/v1/me", other, "")
	decodeInto(t, me, &otherKey)
	if otherKey.Key.ID == "" {
		t.Fatalf("no key id in %s", me.body)
	}
	expectProblem(t, c.call("POST", "/v1/api_keys/"+otherKey.Key.ID+"/roll", manager, `{"grace":"now"}`), http.StatusNotFound, "not_found")
	expectProblem(t, c.call("DELETE", "/v1/api_keys/"+otherKey.Key.ID, manager, ""), http.StatusNotFound, "not_found")
	expect(t, c.call("GET", "/v1/me", other, ""), http.StatusOK) // untouched

	expect(t, c.call("DELETE", "/v1/api_keys/"+rolled.ID, manager, ""), http.StatusOK, `"revoked_at":"`)
	expectProblem(t, c.call("POST", "/v1/api_keys/"+rolled.ID+"/roll", manager, `{"grace":"now"}`), http.StatusConflict, "key_not_active")
	expectProblem(t, c.call("GET", "/v1/me", rolled.Key, ""), http.StatusUnauthorized, "api_key_revoked")
}
