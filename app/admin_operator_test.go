package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
)

// A platform admin sets a workspace's operator settings on its console
// page; a refused value is named next to its field; the workspace's own
// settings page then offers only the cache lifetimes within the bounds,
// says them, and refuses one outside.
func TestAdminOperatorSettings(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	admin := h.platformAdmin("ops@mailvet.test")
	page := admin.get("/admin?q=acme")
	id := regexp.MustCompile(`/admin/tenants/([0-9a-f-]{36})`).FindStringSubmatch(page.body)[1]
	tenantPage := "/admin/tenants/" + id

	expect(t, admin.get(tenantPage), http.StatusOK, "Operator settings", "Connections per MX host")
	expect(t, admin.post(tenantPage+"/operator-settings", url.Values{"webhook_allow_cidrs": {"10.0.0.0/4"}}),
		http.StatusUnprocessableEntity, "10.0.0.0/4 is too wide")
	expect(t, admin.post(tenantPage+"/operator-settings", url.Values{"cache_ttl_min_days": {"30"}, "cache_ttl_max_days": {"7"}}),
		http.StatusUnprocessableEntity, "must not be below the minimum")
	expectRedirect(t, admin.post(tenantPage+"/operator-settings", url.Values{"max_conns_per_mx": {"2"}, "cache_ttl_min_days": {"3"},
		"cache_ttl_max_days": {"30"}, "webhook_allow_cidrs": {"10.20.0.0/16, 192.168.5.0/24"}}), tenantPage)
	expect(t, admin.get(tenantPage), http.StatusOK, `value="2"`, `value="10.20.0.0/16, 192.168.5.0/24"`)

	settings := owner.get("/settings")
	expect(t, settings, http.StatusOK, "Between 3 and 30 days on this workspace", "14 days")
	for _, gone := range []string{"1 day", "90 days", "Off: always ask"} {
		if regexp.MustCompile(regexp.QuoteMeta(gone)).MatchString(settings.body) {
			t.Errorf("the settings page offers %q outside the bounds", gone)
		}
	}
	expect(t, owner.post("/settings/cache", url.Values{"cache_ttl_days": {"-1"}}), http.StatusUnprocessableEntity)
	expectRedirect(t, owner.post("/settings/cache", url.Values{"cache_ttl_days": {"14"}}), "/settings")
	// The owner cannot reach the console's form at all.
	expect(t, owner.post(tenantPage+"/operator-settings", url.Values{"max_conns_per_mx": {"50"}}), http.StatusNotFound)
}
