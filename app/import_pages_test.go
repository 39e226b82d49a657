package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/importjson"
)

// After mailvet import-json, the keys page flags the old service's keys
// for rotation (and they keep working on the API), and the Webhooks page
// says the imported endpoints are unconfirmed until enabling one
// confirms it.
func TestImportedKeysAndEndpointsOnThePages(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	var tenantID uuid.UUID
	if err := h.sys.QueryRow(t.Context(), "SELECT id FROM tenants WHERE slug = 'acme'").Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	if _, err := importjson.New(h.db, h.hooks).Run(t.Context(), tenantID, "../importjson/testdata/oldservice", importjson.Options{By: actor.Operator()}); err != nil {
		t.Fatal(err)
	}

	keys := owner.get("/keys")
	expect(t, keys, http.StatusOK, "Zapier", "imported; rotate soon")
	if n := strings.Count(keys.body, "imported; rotate soon</span>"); n != 2 {
		t.Fatalf("%d keys flagged on the page, want 2", n)
	}
	expect(t, h.browser().api("GET", "/v1/me", "oldsvc_4f9a8b7c6d5e4f3a2b1c0d9e"), http.StatusOK, `"name":"Zapier"`)

	index := owner.get("/webhooks")
	expect(t, index, http.StatusOK, "https://hooks.example.com/hubspot", "Imported, unconfirmed")
	id := regexp.MustCompile(`/webhooks/([0-9a-f-]{36})`).FindStringSubmatch(index.body)[1]
	detail := owner.get("/webhooks/" + id)
	expect(t, detail, http.StatusOK, "imported from the old service and is not confirmed", "Confirm the URL and enable")

	expectRedirect(t, owner.post("/webhooks/"+id+"/enable", url.Values{}), "/webhooks/"+id)
	detail = owner.get("/webhooks/" + id)
	expect(t, detail, http.StatusOK, "Enabled")
	if strings.Contains(detail.body, "not confirmed") {
		t.Fatal("the page still says the endpoint is unconfirmed after enabling it")
	}
}
