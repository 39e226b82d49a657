package usage_test

import (
	"io/fs"
	"testing"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/usage"
)

// The migration that creates the rollups fills them from the verifications
// and list rows made before it.
//
// It replays a migration, which only the tables' owner may: the owner's
// connection, for which row-level security does not apply.
func TestMigrationBackfillsHistory(t *testing.T) {
	d := dbtest.NewOwner(t)
	ctx := t.Context()
	a := newTenant(t, d, "A")
	key := newKey(t, d, a, "CI", "mv_live_ci")
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := d.Pool.Exec(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`DROP TABLE usage_daily`)
	exec(`INSERT INTO verifications (tenant_id, api_key_id, email, normalized, status, reason, score, cached, test_mode, duration_ms, created_at) VALUES
		($1, $2, 'a@x.test', 'a@x.test', 'deliverable', 'accepted_email', 95, false, false, 10, '2026-11-20 23:59:00+00'),
		($1, $2, 'a@x.test', 'a@x.test', 'deliverable', 'accepted_email', 95, true, false, 0, '2026-11-21 00:01:00+00'),
		($1, $2, 'b@x.test', 'b@x.test', 'undeliverable', 'blocked_by_rule', 0, false, false, 0, '2026-11-21 10:00:00+00'),
		($1, NULL, 'c@x.test', 'c@x.test', 'risky', 'catch_all', 50, false, false, 10, '2026-11-21 10:00:00+00')`, a, key)
	var list uuid.UUID
	if err := d.Pool.QueryRow(ctx, `INSERT INTO lists (tenant_id, name, dedupe, api_key_id) VALUES ($1, 'L', 'exact', $2) RETURNING id`, a, key).Scan(&list); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO list_rows (tenant_id, list_id, row_no, line, fields, email, state, status, reason, checked_at) VALUES
		($1, $2, 1, 1, '{}', 'a@x.test', 'done', 'deliverable', 'accepted_email', '2026-11-21 12:00:00+00'),
		($1, $2, 2, 2, '{}', 'b@x.test', 'done', 'unknown', 'timeout', '2026-11-21 12:00:00+00'),
		($1, $2, 3, 3, '{}', 'c@x.test', 'pending', NULL, NULL, NULL),
		($1, $2, 4, 4, '{}', 'a@x.test', 'duplicate', NULL, NULL, NULL)`, a, list)

	up, err := fs.ReadFile(db.MigrationsFS(), "20261125000007_usage_rollups.tx.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	exec(string(up))

	rep, err := usage.NewStore(d).Report(ctx, a, usage.Range{From: date("2026-11-20"), To: date("2026-11-21"), Granularity: usage.Day})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Series[0].Counts; got != (usage.Counts{Deliverable: 1, Billable: 1}) {
		t.Fatalf("20 Nov: %+v", got)
	}
	if got := rep.Series[1].Counts; got != (usage.Counts{Deliverable: 2, Undeliverable: 1, Risky: 1, Unknown: 1, CacheHits: 1, Billable: 3}) {
		t.Fatalf("21 Nov: %+v", got)
	}
	if rep.BySource[usage.SourceList].Total() != 2 || rep.BySource[usage.SourceDashboard].Total() != 1 || rep.BySource[usage.SourceAPI].Total() != 3 {
		t.Fatalf("by source %+v", rep.BySource)
	}
	if len(rep.ByKey) != 2 || rep.ByKey[0].KeyID != key || rep.ByKey[0].Total() != 5 {
		t.Fatalf("by key %+v", rep.ByKey)
	}
}
