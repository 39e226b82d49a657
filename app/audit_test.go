package app_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

var auditRowRE = regexp.MustCompile(`href="/audit/(\d+)"`)

// tenantOf is the id of the workspace a user owns.
func tenantOf(t *testing.T, h *harness, email string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	if err := h.sys.QueryRow(context.Background(), `SELECT m.tenant_id FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE lower(u.email) = lower($1) AND m.role = 'owner'`, email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// supportEvent records a change a platform admin made in tenantID.
func supportEvent(t *testing.T, h *harness, tenantID uuid.UUID, adminEmail string) {
	t.Helper()
	by := actor.PlatformAdmin(uuid.Nil, adminEmail).From("198.51.100.7", "admin-console").ForRequest("req-support")
	if err := h.db.Tx(context.Background(), db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return audit.Record(ctx, tx, tenantID, by, audit.TenantUpdated, "tenant", tenantID.String(), map[string]any{"why": "ticket 42"})
	}); err != nil {
		t.Fatal(err)
	}
}

// The tenant's viewer: owners and admins see their workspace's events,
// filtered, opened and exported; a support row shows "mailvet support";
// members see neither the page nor its link; another workspace's event is
// not found.
func TestAuditViewerIsTheTenantsOwn(t *testing.T) {
	h := newHarness(t)
	ann := h.signUp("Acme", "ann@acme.test")
	bob := h.signUp("Beta", "bob@beta.test")
	newKey(t, ann, "live")
	newKey(t, bob, "live")
	supportEvent(t, h, tenantOf(t, h, "ann@acme.test"), "root@mailvet.example")

	res := ann.get("/audit")
	expect(t, res, http.StatusOK, "api_key.created", "user.sign_up", audit.Support, `href="/audit"`)
	if strings.Contains(res.body, "root@mailvet.example") || strings.Contains(res.body, "bob@beta.test") {
		t.Fatalf("the tenant's log shows the admin or another workspace:\n%s", res.body)
	}
	filtered := ann.get("/audit?action=api_key&since=2020-01-01")
	expect(t, filtered, http.StatusOK, "api_key.created")
	if strings.Contains(filtered.body, "user.sign_up") {
		t.Fatal("action=api_key shows a sign-up")
	}
	ids := auditRowRE.FindAllStringSubmatch(filtered.body, -1)
	if len(ids) != 1 {
		t.Fatalf("action=api_key: %d rows, want 1", len(ids))
	}
	detail := ann.get("/audit/" + ids[0][1])
	expect(t, detail, http.StatusOK, "api_key.created", `&#34;mode&#34;: &#34;live&#34;`)
	if !regexp.MustCompile(`id="audit-request-id">[0-9a-f]{24}<`).MatchString(detail.body) {
		t.Fatal("the event's details lack the request id of the key's creation")
	}
	expect(t, ann.get("/audit?since=yesterday"), http.StatusBadRequest, "date-time")

	csvRes := ann.get("/audit/export.csv?action=api_key")
	expect(t, csvRes, http.StatusOK)
	if cd := csvRes.Header.Get("Content-Disposition"); !strings.Contains(cd, ".csv") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(strings.NewReader(csvRes.body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][7] != audit.APIKeyCreated {
		t.Fatalf("csv: %q, %v", rows, err)
	}
	jsonl := ann.get("/audit/export.jsonl")
	expect(t, jsonl, http.StatusOK, `"actor_email":"mailvet support"`)
	if strings.Contains(jsonl.body, "root@mailvet") || strings.Contains(jsonl.body, "bob@beta.test") {
		t.Fatal("the tenant's export shows the admin or another workspace")
	}

	// Bob cannot open Ann's events, by id or by export.
	expect(t, bob.get("/audit/"+ids[0][1]), http.StatusNotFound)
	if b := bob.get("/audit/export.jsonl").body; strings.Contains(b, "ann@acme.test") {
		t.Fatal("Bob's export holds Ann's events")
	}

	// A member has no link and no page.
	expectRedirect(t, ann.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	mia := h.browser()
	expectRedirect(t, mia.post(h.mailedLink("mia@acme.test", "invited"), url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	if strings.Contains(mia.get("/dashboard").body, `href="/audit"`) {
		t.Fatal("a member's nav links the audit log")
	}
	expect(t, mia.get("/audit"), http.StatusForbidden)
	expect(t, mia.get("/audit/export.csv"), http.StatusForbidden)
}

// The platform viewer is 404 to everyone but platform admins, who see
// every workspace's events with the admin who acted.
func TestAuditPlatformViewer(t *testing.T) {
	h := newHarness(t)
	ann := h.signUp("Acme", "ann@acme.test")
	root := h.signUp("Ops", "root@mailvet.example")
	h.signUp("Beta", "bob@beta.test")
	supportEvent(t, h, tenantOf(t, h, "ann@acme.test"), "root@mailvet.example")
	expect(t, ann.get("/admin/audit"), http.StatusNotFound)
	expect(t, ann.get("/admin/audit/export.csv"), http.StatusNotFound)
	if _, err := h.sys.Exec(context.Background(), `UPDATE users SET platform_admin = true WHERE email = 'root@mailvet.example'`); err != nil {
		t.Fatal(err)
	}
	res := root.get("/admin/audit?actor=root@mailvet.example&action=tenant.updated")
	expect(t, res, http.StatusOK, "root@mailvet.example", "as support", "tenant.updated")
	ids := regexp.MustCompile(`href="/admin/audit/(\d+)"`).FindAllStringSubmatch(res.body, -1)
	if len(ids) != 1 {
		t.Fatalf("%d rows, want the support event", len(ids))
	}
	expect(t, root.get("/admin/audit/"+ids[0][1]), http.StatusOK, "198.51.100.7", "admin-console", "req-support", "ticket 42")
	all := root.get("/admin/audit/export.jsonl?action=user.sign_up")
	expect(t, all, http.StatusOK, "ann@acme.test", "bob@beta.test")
	var slug string
	if err := h.sys.QueryRow(context.Background(), `SELECT slug FROM tenants WHERE name = 'Beta'`).Scan(&slug); err != nil {
		t.Fatal(err)
	}
	beta := root.get("/admin/audit?action=user.sign_up&tenant=" + slug)
	expect(t, beta, http.StatusOK, "bob@beta.test", `value="`+slug+`"`)
	if strings.Contains(beta.body, "ann@acme.test") {
		t.Fatal("tenant=beta shows Acme's sign-up")
	}
}
