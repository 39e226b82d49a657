package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A platform admin sees the default rules, adds one, is told what is
// wrong with a bad one, edits and deletes it; each change is in the
// platform's audit log.
func TestAdminManagesAlertRules(t *testing.T) {
	h := newHarness(t)
	admin := h.platformAdmin("ops@mailvet.test")
	expect(t, admin.get("/admin/alerts"), http.StatusOK, "API 5xx error rate above 5 %", "route_p95(POST /v1/verify) &gt; 1000 for 10m",
		"health_check(database) &gt; 0 for 1m", "no operator webhook is set")

	bad := url.Values{"name": {"Slow lists"}, "metric": {"route_p95"}, "target": {"GET /v1/lists"}, "threshold": {"250"}, "for": {"soon"}, "enabled": {"1"}}
	expect(t, admin.post("/admin/alerts", bad), http.StatusUnprocessableEntity, "Write a duration such as 0s, 5m or 1h", `value="250"`, `value="1" checked`)
	bad.Set("for", "5m")
	bad.Set("metric", "cpu")
	expect(t, admin.post("/admin/alerts", bad), http.StatusUnprocessableEntity, "Choose one of error_rate")
	good := bad
	good.Set("metric", "route_p95")
	expectRedirect(t, admin.post("/admin/alerts", good), "/admin/alerts")
	page := admin.get("/admin/alerts")
	expect(t, page, http.StatusOK, "Slow lists", "route_p95(GET /v1/lists) &gt; 250 for 5m")
	expect(t, admin.post("/admin/alerts", good), http.StatusUnprocessableEntity, "Another rule has this name")

	var id string
	if err := h.sys.QueryRow(t.Context(), `SELECT id::text FROM alert_rules WHERE name = 'Slow lists'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	edit := admin.get("/admin/alerts/" + id)
	expect(t, edit, http.StatusOK, `value="GET /v1/lists"`, `hx-confirm="Delete the rule Slow lists?`)
	good.Set("threshold", "400")
	good.Del("enabled")
	expectRedirect(t, admin.post("/admin/alerts/"+id, good), "/admin/alerts")
	expect(t, admin.get("/admin/alerts"), http.StatusOK, "route_p95(GET /v1/lists) &gt; 400 for 5m")
	expectRedirect(t, admin.post("/admin/alerts/"+id+"/delete", nil), "/admin/alerts")
	if page := admin.get("/admin/alerts").body; !strings.Contains(page, "Rule deleted: Slow lists.") || strings.Contains(page, "Edit rule Slow lists") {
		t.Error("the deleted rule is still listed")
	}
	expect(t, admin.get("/admin/alerts/"+id), http.StatusNotFound)

	var actions string
	if err := h.sys.QueryRow(t.Context(), `SELECT string_agg(action, ',' ORDER BY created_at, action) FROM audit_events
		WHERE target_type = 'alert_rule' AND target_id = $1 AND tenant_id IS NULL AND by_support`, id).Scan(&actions); err != nil {
		t.Fatal(err)
	}
	if actions != "alert_rule.changed,alert_rule.created,alert_rule.deleted" && actions != "alert_rule.created,alert_rule.changed,alert_rule.deleted" {
		t.Errorf("audited %q, want created, changed, deleted", actions)
	}
}
