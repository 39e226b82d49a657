package app_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
)

// platformAdmin signs up a user of their own workspace and makes them a
// platform admin, as `mailvet admin` does.
func (h *harness) platformAdmin(email string) *browser {
	h.t.Helper()
	b := h.signUp("Operators", email)
	if _, err := h.sys.Exec(h.t.Context(), `UPDATE users SET platform_admin = true WHERE email = $1`, email); err != nil {
		h.t.Fatal(err)
	}
	return b
}

var adminRouteRE = regexp.MustCompile(`mux\.Handle\(\"(?:(GET|POST) )?(/admin[^"]*)"`)

// adminRoutes are the console's routes in routes.go, with a made-up id
// for each path parameter.
func adminRoutes(t *testing.T) [][2]string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	params := regexp.MustCompile(`\{[a-z]+\}`)
	var out [][2]string
	for _, m := range adminRouteRE.FindAllStringSubmatch(string(src), -1) {
		method := m[1]
		if method == "" {
			method = "GET"
		}
		out = append(out, [2]string{method, params.ReplaceAllString(m[2], "0b0e8a3c-5d37-4c1c-9a55-2f7f8d1e6a01")})
	}
	if len(out) < 10 {
		t.Fatalf("found %d /admin routes in routes.go; has its style changed?", len(out))
	}
	return out
}

// The console is the ordinary 404 page to anyone but a platform admin:
// signed out, a member, the owner of a workspace.
func TestAdminConsoleIsNotFoundToOthers(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	mia := h.browser()
	expectRedirect(t, mia.post(h.mailedLink("mia@acme.test", "invited"), url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	notFound := h.browser().get("/no-such-page").body

	for who, b := range map[string]*browser{"signed out": h.browser(), "member": mia, "owner": owner} {
		for _, r := range adminRoutes(t) {
			var res response
			if r[0] == "POST" {
				res = b.post(r[1], url.Values{"reason": {"test"}})
			} else {
				res = b.get(r[1])
			}
			if res.StatusCode != http.StatusNotFound || !strings.Contains(res.body, "There is nothing at this address.") {
				t.Errorf("%s: %s %s answered %d\n%s", who, r[0], r[1], res.StatusCode, abbreviate(res.body))
			}
		}
	}
	if !strings.Contains(notFound, "There is nothing at this address.") {
		t.Fatal("the ordinary 404 page changed; update this test")
	}
	admin := h.platformAdmin("ops@mailvet.test")
	expect(t, admin.get("/admin"), http.StatusOK, "Acme", "Operators")
	expect(t, admin.get("/admin/river/"), http.StatusOK)
}

// An admin finds a workspace by a member's email and sees its picture,
// with no secret on the page.
func TestAdminFindsTenants(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	h.signUp("Beta", "bob@beta.test")
	admin := h.platformAdmin("ops@mailvet.test")

	page := admin.get("/admin?q=ann%40acme")
	expect(t, page, http.StatusOK, "Acme")
	if strings.Contains(page.body, "Beta") {
		t.Fatal("the search for ann@acme also found Beta")
	}
	expect(t, admin.get("/admin?sort=usage"), http.StatusOK, "Beta", "Acme")
	expect(t, admin.get("/admin?sort=sideways"), http.StatusBadRequest)
	id := regexp.MustCompile(`/admin/tenants/([0-9a-f-]{36})`).FindStringSubmatch(page.body)[1]
	detail := admin.get("/admin/tenants/" + id)
	expect(t, detail, http.StatusOK, "ann@acme.test", "live key", key[:12])
	if strings.Contains(detail.body, key) {
		t.Fatal("the console shows a key's secret")
	}
	expect(t, admin.get("/admin/tenants/0b0e8a3c-5d37-4c1c-9a55-2f7f8d1e6a01"), http.StatusNotFound)

	// The workspace's failed API calls show on its page, with their codes.
	miss := h.browser().api("GET", "/v1/lists/0b0e8a3c-5d37-4c1c-9a55-2f7f8d1e6a01", key)
	expectProblem(t, miss, http.StatusNotFound, "not_found")
	eventually(t, "the failed call on the tenant's page", func() bool {
		return strings.Contains(admin.get("/admin/tenants/"+id).body, miss.Header.Get("X-Request-Id"))
	})
}

// A platform admin edits a plan and gives one workspace an override;
// refused values are said next to their field and change nothing.
func TestAdminPlansAndOverrides(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	admin := h.platformAdmin("ops@mailvet.test")
	expect(t, admin.get("/admin/plans"), http.StatusOK, "Premium", "1,000,000")
	form := url.Values{"name": {"Free"}, "price_cents": {"0"}, "overage_cents_per_1000": {"0"}, "daily_limit": {"250"},
		"monthly_included": {"1000"}, "monthly_limit": {"1000"}, "rate_per_minute": {"60"}, "max_list_rows": {"5000"}}
	expect(t, admin.post("/admin/plans/free", form), http.StatusUnprocessableEntity, "every list a plan allows must fit its month")
	form.Set("max_list_rows", "1000")
	expectRedirect(t, admin.post("/admin/plans/free", form), "/admin/plans")
	expect(t, admin.get("/admin/plans"), http.StatusOK, "250")

	page := admin.get("/admin?q=acme")
	id := regexp.MustCompile(`/admin/tenants/([0-9a-f-]{36})`).FindStringSubmatch(page.body)[1]
	tenantPage := "/admin/tenants/" + id
	expect(t, admin.post(tenantPage+"/override", url.Values{"plan_id": {"premium"}, "note": {""}}), http.StatusUnprocessableEntity, "Note")
	expect(t, admin.post(tenantPage+"/override", url.Values{"plan_id": {"gold"}, "note": {"a plan that does not exist"}}), http.StatusUnprocessableEntity, "No such plan")
	expectRedirect(t, admin.post(tenantPage+"/override", url.Values{"plan_id": {"premium"}, "daily_limit": {"777"}, "note": {"Pilot, agreed by sales"}}), tenantPage)
	expect(t, admin.get(tenantPage), http.StatusOK, "plan premium, 777 per day — Pilot, agreed by sales", "Remove override")
	expect(t, owner.get("/billing"), http.StatusOK, `<span id="current-plan">Premium</span>`)
	expectRedirect(t, admin.post(tenantPage+"/override/clear", nil), tenantPage)
	expect(t, owner.get("/billing"), http.StatusOK, `<span id="current-plan">Free</span>`)
}
