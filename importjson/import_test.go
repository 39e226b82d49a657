package importjson_test

import (
	"maps"
	"strings"
	"testing"

	"mailvet/importjson"
)

// want is one file's expected counts on a first run of the sample.
type want struct{ read, imported, skipped int }

var sampleWant = map[string]want{
	"emails.json":          {read: 12, imported: 7, skipped: 5},
	"validation_jobs.json": {read: 4, imported: 1, skipped: 3},
	"api_keys.json":        {read: 6, imported: 2, skipped: 4},
	"crm_configs.json":     {read: 5, imported: 2, skipped: 3},
	"crm_uploads.json":     {read: 4, imported: 1, skipped: 3},
}

// The sample files import every mapping once, skip each bad record with
// its reason on its own line, and a second run imports nothing new.
func TestImportSampleTwice(t *testing.T) {
	e := setup(t)
	a := e.tenant(t, "Acme")
	before := e.counts(t, a)

	rep := e.run(t, a, sample, false)
	for name, w := range sampleWant {
		f := fileReport(t, rep, name)
		if f.Err != nil || f.Read != w.read || f.Imported != w.imported || f.Skipped != w.skipped || f.Already != 0 {
			t.Errorf("%s: read %d imported %d skipped %d already %d err %v, want %+v", name, f.Read, f.Imported, f.Skipped, f.Already, f.Err, w)
		}
	}
	out := text(t, rep)
	for _, line := range []string{
		`emails.json: 12 read, 7 imported, 0 already imported, 5 skipped`,
		`#6 (id "e6"): skipped: missing email`,
		`#7 (id "e7"): skipped: unparseable time in "checked_at": "yesterday"`,
		`#8 (id "e8"): skipped: unknown status "maybe"`,
		`#9 (id "e1"): skipped: duplicate id`,
		`#10: skipped: not a JSON object`,
		`#3 (id "job-3"): skipped: unparseable time in "created_at"`,
		`#2 (id "job-2"): skipped: nothing verifiable`,
		`#1 (id "job-1"): row 3 kept without a verdict: unknown status "weird"`,
		`#1 (id "job-1"): row 4 kept without a verdict: missing email`,
		`#1 (id "job-1"): 1 rows kept without a verdict`,
		`#4 (id "job-1"): skipped: duplicate id`,
		`#2 (id "k2"): skipped: key too short (8 characters, at least 20)`,
		`#3 (id "k3"): skipped: only a hash of the key`,
		`#4 (id "k4"): skipped: inactive in the old service`,
		`#2 (id "salesforce"): skipped: URL is not http(s): "ftp://files.example.com/drop"`,
		`#3 (id "pipedrive"): skipped: missing URL`,
		`#5 (id "hubspot"): skipped: duplicate id`,
		`#2 (id "u2"): skipped: nothing verifiable: no addresses in it`,
		`#3 (id "u3"): skipped: nothing verifiable: "emails" is not a list of addresses`,
		`settings.json: ignored`,
	} {
		if !strings.Contains(out, line) {
			t.Errorf("report lacks %q:\n%s", line, out)
		}
	}

	first := e.counts(t, a)
	added := map[string]int{}
	for k, v := range first {
		added[k] = v - before[k]
	}
	wantAdded := map[string]int{"import_records": 13, "verifications": 7, "verification_cache": 5, "lists": 2, "list_rows": 7,
		"api_keys": 2, "webhook_endpoints": 2, "audit_events": 5}
	for k, v := range wantAdded {
		if added[k] != v {
			t.Errorf("%s: %d rows added, want %d", k, added[k], v)
		}
	}
	if n := e.count(t, a, `SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = $2 AND target_id = 'emails.json'
		AND metadata @> '{"read": 12, "imported": 7, "already_imported": 0, "skipped": 5}'`, a, importjson.AuditFileImported); n != 1 {
		t.Errorf("%d audit events of emails.json with its counts", n)
	}
	// History keeps its original time, and its cache entry too.
	if n := e.count(t, a, `SELECT count(*) FROM verifications WHERE tenant_id = $1 AND normalized = 'Ann@example.com'
		AND status = 'deliverable' AND score = 97 AND created_at = '2026-10-01T10:00:00Z'`, a); n != 1 {
		t.Errorf("e1's verification: %d rows", n)
	}
	if n := e.count(t, a, `SELECT count(*) FROM verification_cache WHERE tenant_id = $1 AND normalized = 'bob@example.com'
		AND result->>'status' = 'undeliverable' AND checked_at = to_timestamp(1759312800)`, a); n != 1 {
		t.Errorf("e2's cache entry (Unix time): %d rows", n)
	}
	if n := e.count(t, a, `SELECT count(*) FROM verifications WHERE tenant_id = $1 AND created_at = to_timestamp(1759400000)`, a); n != 1 {
		t.Errorf("e5 (Unix milliseconds): %d rows", n)
	}
	// History charges nothing and sends no webhook event.
	if n := e.count(t, a, `SELECT count(*) FROM quota_usage WHERE tenant_id = $1 AND (day_used > 0 OR month_used > 0)`, a); n != 0 {
		t.Errorf("the import charged the quota: %d rows", n)
	}
	if n := e.count(t, a, `SELECT coalesce(sum(billable), 0) FROM usage_daily WHERE tenant_id = $1`, a); n != 0 {
		t.Errorf("%d imported verifications billable", n)
	}
	if n := e.count(t, a, `SELECT coalesce(sum(deliverable + undeliverable + risky + unknown), 0) FROM usage_daily WHERE tenant_id = $1`, a); n != 7+3 {
		t.Errorf("usage history holds %d verdicts, want 10 (7 verifications, 3 list rows)", n)
	}
	if n := e.count(t, a, `SELECT count(*) FROM events WHERE tenant_id = $1`, a); n != 0 {
		t.Errorf("%d webhook events recorded", n)
	}
	// A job is a completed list with its verdicts, in order.
	if n := e.count(t, a, `SELECT count(*) FROM lists WHERE tenant_id = $1 AND name = 'October leads' AND status = 'completed'
		AND total_rows = 5 AND processed_rows = 2 AND deliverable = 1 AND undeliverable = 1 AND completed_at = '2026-10-05T12:05:00Z'`, a); n != 1 {
		t.Errorf("job-1's list: %d rows", n)
	}
	if n := e.count(t, a, `SELECT count(*) FROM list_rows r JOIN lists l ON l.id = r.list_id WHERE r.tenant_id = $1 AND l.name = 'October leads'
		AND r.row_no = 2 AND r.status = 'undeliverable' AND r.reason = 'no_mx'`, a); n != 1 {
		t.Errorf("job-1's second row: %d rows", n)
	}

	again := e.run(t, a, sample, false)
	for name, w := range sampleWant {
		f := fileReport(t, again, name)
		if f.Imported != 0 || f.Already != w.imported || f.Skipped != w.skipped {
			t.Errorf("second run, %s: imported %d already %d skipped %d, want 0, %d, %d", name, f.Imported, f.Already, f.Skipped, w.imported, w.skipped)
		}
	}
	second := e.counts(t, a)
	second["audit_events"] -= 5 // each run audits its files
	if !maps.Equal(first, second) {
		t.Errorf("the second run wrote rows: %v, then %v", first, second)
	}
}

// A dry run prints the report a real run prints and writes nothing.
func TestDryRunWritesNothing(t *testing.T) {
	e := setup(t)
	a := e.tenant(t, "Acme")
	before := e.counts(t, a)
	dry := e.run(t, a, sample, true)
	if after := e.counts(t, a); !maps.Equal(before, after) {
		t.Fatalf("the dry run wrote rows: %v, then %v", before, after)
	}
	real := e.run(t, a, sample, false)
	dryText, realText := text(t, dry), text(t, real)
	if !strings.HasPrefix(dryText, "dry run: nothing was written\n") {
		t.Errorf("the dry run does not say so:\n%s", dryText)
	}
	if strings.TrimPrefix(dryText, "dry run: nothing was written\n") != realText {
		t.Errorf("the dry run's report differs from the real run's:\n%s\nreal:\n%s", dryText, realText)
	}
	if fileReport(t, real, "emails.json").Imported != 7 {
		t.Errorf("after the dry run, the real run imported %d", fileReport(t, real, "emails.json").Imported)
	}
}

// A file that breaks off imports nothing of what it read before.
func TestBrokenFileImportsNothing(t *testing.T) {
	e := setup(t)
	a := e.tenant(t, "Acme")
	dir := t.TempDir()
	writeFile(t, dir, "emails.json", `[{"id":"1","email":"a@example.com","status":"valid","checked_at":"2026-10-01T00:00:00Z"}, {"id":"2",`)
	rep := e.run(t, a, dir, false)
	f := fileReport(t, rep, "emails.json")
	if f.Err == nil || f.Imported != 0 || !rep.Failed() {
		t.Fatalf("report %+v", f)
	}
	if n := e.count(t, a, `SELECT count(*) FROM verifications WHERE tenant_id = $1`, a); n != 0 {
		t.Fatalf("%d verifications of a broken file", n)
	}
	if !strings.Contains(text(t, rep), "emails.json: FAILED after 1 records, nothing of it imported: the file ends in the middle") {
		t.Errorf("report:\n%s", text(t, rep))
	}
}

// A CRM config whose URL the endpoint refuses (too long) is skipped with
// the reason; the file's other configs still import.
func TestRefusedEndpointURLIsSkipped(t *testing.T) {
	e := setup(t)
	a := e.tenant(t, "Acme")
	dir := t.TempDir()
	writeFile(t, dir, "crm_configs.json", `[{"id":"long","url":"https://crm.example/`+strings.Repeat("x", 2100)+`"},{"id":"ok","url":"https://crm.example/ok"}]`)
	rep := e.run(t, a, dir, false)
	f := fileReport(t, rep, "crm_configs.json")
	if f.Imported != 1 || f.Skipped != 1 || !strings.Contains(text(t, rep), `#1 (id "long"): skipped: URL refused`) {
		t.Fatalf("report %+v\n%s", f, text(t, rep))
	}
	if n := e.count(t, a, `SELECT count(*) FROM import_records WHERE tenant_id = $1 AND source_id = 'long'`, a); n != 0 {
		t.Fatal("the skipped config is recorded as imported")
	}
}
