package importjson_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/lists"
	"mailvet/tenants"
	"mailvet/webhooks"
)

// An imported plaintext key authenticates its tenant through the API's
// own path, is stored as a hash only and is flagged for rotation; a key
// the file had as too short does not authenticate.
func TestImportedKeyAuthenticates(t *testing.T) {
	e := setup(t)
	a := e.tenant(t, "Acme")
	e.run(t, a, sample, false)

	const old = "oldsvc_4f9a8b7c6d5e4f3a2b1c0d9e"
	k, tn, err := e.tenants.AuthenticateKey(t.Context(), old)
	if err != nil {
		t.Fatalf("authenticate the imported key: %v", err)
	}
	if tn.ID != a || k.TenantID != a || k.ImportedAt == nil || k.Name != "Zapier" || k.Mode != tenants.ModeLive || k.TestMode() {
		t.Fatalf("key %+v of tenant %v", k, tn.ID)
	}
	if n := e.count(t, a, `SELECT count(*) FROM api_keys WHERE tenant_id = $1 AND key_hash = sha256($2::bytea) AND prefix = 'oldsvc'
		AND created_at = '2026-01-10T00:00:00Z'`, a, old); n != 1 {
		t.Fatalf("the key is not stored as its SHA-256 with a short prefix: %d rows", n)
	}
	if n := e.count(t, a, `SELECT count(*) FROM api_keys k WHERE k.tenant_id = $1 AND to_jsonb(k)::text LIKE '%' || $2 || '%'`, a, old); n != 0 {
		t.Fatal("the plaintext key is stored")
	}
	keys, err := e.tenants.ListAPIKeys(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for _, k := range keys {
		if k.ImportedAt != nil {
			flagged++
		}
	}
	if flagged != 2 {
		t.Fatalf("%d keys flagged imported, want 2", flagged)
	}
	if _, _, err := e.tenants.AuthenticateKey(t.Context(), "short123"); err == nil {
		t.Fatal("a key too short to import authenticates")
	}
	if _, _, err := e.tenants.AuthenticateKey(t.Context(), "oldsvc_never_imported_0000000000"); !errors.Is(err, tenants.ErrUnknownKey) {
		t.Fatalf("an old-shaped key never imported: %v, want ErrUnknownKey", err)
	}
}

// Imported endpoints are disabled and unconfirmed; enabling one is its
// confirmation, audited.
func TestImportedEndpointsDisabledUntilConfirmed(t *testing.T) {
	e := setup(t)
	a := e.tenant(t, "Acme")
	e.run(t, a, sample, false)

	by := actor.Operator()
	eps, err := e.webhooks.List(t.Context(), a, by)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != 2 {
		t.Fatalf("%d endpoints, want 2", len(eps))
	}
	urls := map[string]bool{}
	for _, ep := range eps {
		urls[ep.URL] = true
		if ep.Enabled || !ep.ImportedUnconfirmed || ep.DisabledReason == nil || *ep.DisabledReason != webhooks.ImportedReason {
			t.Fatalf("imported endpoint %+v is not disabled and unconfirmed", ep)
		}
	}
	if !urls["https://hooks.example.com/hubspot"] || !urls["http://crm.example.org/zoho"] {
		t.Fatalf("endpoints %v", urls)
	}
	on := true
	ep, err := e.webhooks.Update(t.Context(), a, eps[0].ID, webhooks.EndpointInput{Enabled: &on}, by)
	if err != nil {
		t.Fatal(err)
	}
	if !ep.Enabled || ep.ImportedUnconfirmed || ep.DisabledReason != nil {
		t.Fatalf("after enabling: %+v", ep)
	}
	if n := e.count(t, a, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = $2 AND target_id = $3`,
		a, webhooks.AuditEndpointConfirmed, ep.ID.String()); n != 1 {
		t.Fatalf("%d confirmation audit events", n)
	}
	other, err := e.webhooks.Get(t.Context(), a, eps[1].ID, by)
	if err != nil || other.Enabled || !other.ImportedUnconfirmed {
		t.Fatalf("the other endpoint: %+v, %v", other, err)
	}
}

// Imported rows belong to the named tenant only: another tenant's
// transactions see none of them, and importing the same files into it
// imports its own copy (ids are per tenant) except the keys, whose hash
// authenticates one tenant only.
func TestImportIsolation(t *testing.T) {
	e := setup(t)
	a, b := e.tenant(t, "Acme"), e.tenant(t, "Bravo")
	e.run(t, a, sample, false)
	dbtest.RequireHidden(t, e.d, b, a, "import_records", "verifications", "verification_cache", "usage_daily", "lists", "list_rows",
		"api_keys", "webhook_endpoints")

	rep := e.run(t, b, sample, false)
	for name, w := range sampleWant {
		f := fileReport(t, rep, name)
		wantImported := w.imported
		if name == "api_keys.json" {
			wantImported = 0
		}
		if f.Imported != wantImported || f.Already != 0 {
			t.Errorf("tenant B, %s: imported %d, already %d; want %d, 0", name, f.Imported, f.Already, wantImported)
		}
	}
	k, _, err := e.tenants.AuthenticateKey(t.Context(), "oldsvc_4f9a8b7c6d5e4f3a2b1c0d9e")
	if err != nil || k.TenantID != a {
		t.Fatalf("the key authenticates tenant %v (%v), want A", k.TenantID, err)
	}
	if n := e.count(t, b, `SELECT count(*) FROM verifications WHERE tenant_id = $1`, b); n != 7 {
		t.Fatalf("tenant B has %d verifications", n)
	}
}

// An imported job exports like an uploaded list: every row in its order
// with its verdict, the rows without one with the reason.
func TestImportedJobExports(t *testing.T) {
	e := setup(t)
	a := e.tenant(t, "Acme")
	e.run(t, a, sample, false)
	var id uuid.UUID
	if err := e.d.QueryRow(t.Context(), db.Tenant(a), `SELECT id FROM lists WHERE tenant_id = $1 AND name = 'October leads'`, a).Scan(&id); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := lists.NewStore(e.d, nil, lists.Options{}).Export(t.Context(), a, id, lists.ExportOptions{}, actor.Operator(), &out); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"email,mailvet_status,mailvet_reason,mailvet_score,",
		"a1@example.com,deliverable,accepted_email,90,",
		"a2@example.com,undeliverable,no_mx,0,",
		`a3@example.com,,,,,,,,,false,"unknown status ""weird"""`,
		",,,,,,,,,false,missing email",
		"a5@example.com,,,,,,,,,false,no verdict in the old service",
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(want) {
		t.Fatalf("export:\n%s", out.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(strings.TrimRight(lines[i], "\r"), w) {
			t.Errorf("line %d: %q, want it to start %q", i+1, lines[i], w)
		}
	}
}
