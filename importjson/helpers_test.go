package importjson_test

import (
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/importjson"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/secretbox"
	"mailvet/tenants"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

const sample = "testdata/oldservice"

// env is the importer on a fresh database, with the real stores.
type env struct {
	d        *db.DB
	tenants  *tenants.Store
	webhooks *webhooks.Service
	im       *importjson.Importer
}

func setup(t *testing.T) env {
	t.Helper()
	d := dbtest.New(t)
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := secretbox.ParseKeyring("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://mailvet.test")
	ts := tenants.NewStore(d, mail.NewQueue(inserter), base, tenants.Options{})
	wh := webhooks.NewService(d, inserter, ring, transport.NewClient(transport.Options{}), mail.NewQueue(inserter),
		func(p string) string { return "http://mailvet.test" + p }, webhooks.Options{})
	return env{d: d, tenants: ts, webhooks: wh, im: importjson.New(d, wh)}
}

// tenant makes a tenant owned by a new user and returns its id.
func (e env) tenant(t *testing.T, name string) uuid.UUID {
	t.Helper()
	u, err := e.tenants.CreateUser(t.Context(), strings.ToLower(name)+"@owner.test", name, "a long enough password 1", false, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	tn, err := e.tenants.CreateTenant(t.Context(), name, u.ID, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func (e env) run(t *testing.T, tenantID uuid.UUID, dir string, dryRun bool) importjson.Report {
	t.Helper()
	rep, err := e.im.Run(t.Context(), tenantID, dir, importjson.Options{DryRun: dryRun, By: actor.Operator()})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// count counts rows in the tenant's scope (row-level security applies).
func (e env) count(t *testing.T, tenantID uuid.UUID, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.QueryRow(t.Context(), db.Tenant(tenantID), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// tables are every table the import writes.
var tables = []string{"import_records", "verifications", "verification_cache", "usage_daily", "lists", "list_rows",
	"api_keys", "webhook_endpoints", "audit_events"}

func (e env) counts(t *testing.T, tenantID uuid.UUID) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range tables {
		out[table] = e.count(t, tenantID, "SELECT count(*) FROM "+table+" WHERE tenant_id = $1", tenantID)
	}
	return out
}

func fileReport(t *testing.T, rep importjson.Report, name string) importjson.FileReport {
	t.Helper()
	for _, f := range rep.Files {
		if f.File == name {
			return f
		}
	}
	t.Fatalf("no report of %s", name)
	return importjson.FileReport{}
}

func text(t *testing.T, rep importjson.Report) string {
	t.Helper()
	var b strings.Builder
	if err := rep.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
