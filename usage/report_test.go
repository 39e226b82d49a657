package usage_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/verify"
)

// seed runs fn on the system path: test set-up that spans tenants.
func seed(t *testing.T, d *db.DB, fn func(ctx context.Context, tx db.Tx) error) {
	t.Helper()
	if err := d.Tx(t.Context(), db.System("test: seed usage fixtures"), fn); err != nil {
		t.Fatal(err)
	}
}

func newTenant(t *testing.T, d *db.DB, name string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id", name, uuid.NewString()[:8]).Scan(&id)
	})
	return id
}

func newKey(t *testing.T, d *db.DB, tenant uuid.UUID, name, prefix string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO api_keys (tenant_id, name, mode, prefix, key_hash) VALUES (?, ?, 'live', ?, ?) RETURNING id",
			tenant, name, prefix, []byte(uuid.NewString())).Scan(&id)
	})
	return id
}

// add adds one delta in its tenant's transaction.
func add(t *testing.T, d *db.DB, delta usage.Delta) {
	t.Helper()
	if err := d.Tx(t.Context(), db.Tenant(delta.TenantID), func(ctx context.Context, tx db.Tx) error {
		return usage.Add(ctx, tx, delta)
	}); err != nil {
		t.Fatal(err)
	}
}

func TestReportBucketsTotalsAndKeys(t *testing.T) {
	d := dbtest.New(t)
	ctx := t.Context()
	store := usage.NewStore(d)
	a, b := newTenant(t, d, "A"), newTenant(t, d, "B")
	ci, crm := newKey(t, d, a, "CI", "mv_live_ci"), newKey(t, d, a, "CRM", "mv_live_crm")
	add := func(tenant uuid.UUID, day string, key uuid.UUID, source string, c usage.Counts) {
		t.Helper()
		add(t, d, usage.Delta{TenantID: tenant, Day: date(day), APIKeyID: key, Source: source, Counts: c})
	}
	// Sunday 22 Nov closes a week, Monday 23 Nov opens the next; 30 Nov
	// and 1 Dec straddle a month.
	add(a, "2026-11-22", ci, usage.SourceAPI, usage.Counts{Deliverable: 2, Undeliverable: 1, Billable: 3})
	add(a, "2026-11-23", ci, usage.SourceAPI, usage.Counts{Deliverable: 1, CacheHits: 1})
	add(a, "2026-11-23", ci, usage.SourceAPI, usage.Counts{Risky: 1, Billable: 1}) // adds to the same row
	add(a, "2026-11-30", crm, usage.SourceList, usage.Counts{Deliverable: 5, Unknown: 5, Billable: 10})
	add(a, "2026-12-01", uuid.Nil, usage.SourceDashboard, usage.Counts{Undeliverable: 4, Billable: 4})
	add(a, "2026-10-01", ci, usage.SourceAPI, usage.Counts{Deliverable: 100}) // before the range
	add(b, "2026-11-23", uuid.Nil, usage.SourceAPI, usage.Counts{Deliverable: 7, Billable: 7})

	if n := countRows(t, d, "SELECT count(*) FROM usage_daily WHERE tenant_id = ? AND day = '2026-11-23'", a); n != 1 {
		t.Fatalf("%d rollup rows for one day, key and source", n)
	}

	r := usage.Range{From: date("2026-11-20"), To: date("2026-12-02"), Granularity: usage.Day}
	rep, err := store.Report(ctx, a, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Series) != 13 || rep.Series[0].Start != date("2026-11-20") || rep.Series[0].Total() != 0 {
		t.Fatalf("daily series of %d periods from %v", len(rep.Series), rep.Series[0])
	}
	if got := rep.Series[3].Counts; got != (usage.Counts{Deliverable: 1, Risky: 1, CacheHits: 1, Billable: 1}) {
		t.Fatalf("23 Nov: %+v", got)
	}
	wantTotals := usage.Counts{Deliverable: 8, Undeliverable: 5, Risky: 1, Unknown: 5, CacheHits: 1, Billable: 18}
	if rep.Totals != wantTotals {
		t.Fatalf("totals %+v, want %+v", rep.Totals, wantTotals)
	}

	r.Granularity = usage.Week
	rep, err = store.Report(ctx, a, r)
	if err != nil {
		t.Fatal(err)
	}
	if got := totals(rep); got != "2026-11-16:3 2026-11-23:2 2026-11-30:14" {
		t.Fatalf("weeks: %s", got)
	}
	r.Granularity = usage.Month
	rep, err = store.Report(ctx, a, r)
	if err != nil {
		t.Fatal(err)
	}
	if got := totals(rep); got != "2026-11-01:15 2026-12-01:4" {
		t.Fatalf("months: %s", got)
	}
	if rep.Totals != wantTotals {
		t.Fatalf("monthly totals %+v", rep.Totals)
	}

	// By key: busiest first, no-key use as its own row.
	if len(rep.ByKey) != 3 {
		t.Fatalf("by key: %+v", rep.ByKey)
	}
	if k := rep.ByKey[0]; k.KeyID != crm || k.Name != "CRM" || k.Prefix != "mv_live_crm" || k.Mode != "live" || k.Total() != 10 {
		t.Fatalf("first key %+v", k)
	}
	if k := rep.ByKey[1]; k.KeyID != ci || k.Name != "CI" || k.Total() != 5 || k.Deliverable != 3 || k.Billable != 4 {
		t.Fatalf("second key %+v", k)
	}
	if k := rep.ByKey[2]; k.KeyID != uuid.Nil || k.Name != "" || k.Total() != 4 {
		t.Fatalf("no-key row %+v", k)
	}
	if rep.BySource[usage.SourceAPI].Total() != 5 || rep.BySource[usage.SourceList].Total() != 10 || rep.BySource[usage.SourceDashboard].Total() != 4 {
		t.Fatalf("by source %+v", rep.BySource)
	}

	// Tenant B sees only its own use.
	rep, err = store.Report(ctx, b, r)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Totals != (usage.Counts{Deliverable: 7, Billable: 7}) || len(rep.ByKey) != 1 || rep.ByKey[0].KeyID != uuid.Nil {
		t.Fatalf("B's report %+v", rep)
	}
	c, err := store.Totals(ctx, b, date("2026-01-01"), date("2026-12-31"))
	if err != nil || c.Total() != 7 {
		t.Fatalf("B's totals %+v %v", c, err)
	}
	if c, err := store.Totals(ctx, newTenant(t, d, "C"), date("2026-01-01"), date("2026-12-31")); err != nil || c != (usage.Counts{}) {
		t.Fatalf("empty tenant's totals %+v %v", c, err)
	}
}

func totals(rep usage.Report) string {
	out := ""
	for i, p := range rep.Series {
		if i > 0 {
			out += " "
		}
		out += p.Start.Format(time.DateOnly) + ":" + strconv.Itoa(p.Total())
	}
	return out
}

// countRows counts on the system path, which sees every tenant.
func countRows(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	seed(t, d, func(ctx context.Context, tx db.Tx) error { return tx.QueryRowContext(ctx, query, args...).Scan(&n) })
	return n
}

// fixedEngine answers every address deliverable, but for bad syntax.
type fixedEngine struct{}

func (fixedEngine) Verify(_ context.Context, email string) verify.Result {
	if !strings.Contains(email, "@") {
		return verify.Result{Email: email, Status: verify.Undeliverable, Reason: verify.ReasonInvalidSyntax, CheckedAt: time.Now().UTC()}
	}
	return verify.Result{Email: email, Normalized: email, Status: verify.Deliverable, Reason: verify.ReasonAccepted, Score: 95, CheckedAt: time.Now().UTC()}
}

// Every single verification is rolled up in the statement that records it:
// the engine's answers are billable; cache hits, test mode and an address
// that does not parse (answered without the engine) are not; use without
// a key is the dashboard's.
func TestVerificationsRollUp(t *testing.T) {
	d := dbtest.New(t)
	ctx := t.Context()
	a := newTenant(t, d, "A")
	key := newKey(t, d, a, "CI", "mv_live_ci")
	svc := verifications.NewService(d, fixedEngine{}, nil, time.Second)
	for _, req := range []verifications.Request{
		{TenantID: a, APIKeyID: key, Email: "ann@shop.test", CacheTTL: time.Hour},
		{TenantID: a, APIKeyID: key, Email: "ann@shop.test", CacheTTL: time.Hour},
		{TenantID: a, APIKeyID: key, Email: "unknown@shop.test", TestMode: true},
		{TenantID: a, Email: "bob@shop.test"},
		{TenantID: a, Email: "not an address"},
	} {
		if _, _, err := svc.Verify(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	today := usage.DateOf(time.Now())
	rep, err := usage.NewStore(d).Report(ctx, a, usage.Range{From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 1), Granularity: usage.Day})
	if err != nil {
		t.Fatal(err)
	}
	want := usage.Counts{Deliverable: 3, Undeliverable: 1, Unknown: 1, CacheHits: 1, Billable: 2}
	if rep.Totals != want {
		t.Fatalf("totals %+v, want %+v", rep.Totals, want)
	}
	if rep.BySource[usage.SourceAPI].Total() != 3 || rep.BySource[usage.SourceAPI].Billable != 1 || rep.BySource[usage.SourceDashboard].Total() != 2 || rep.BySource[usage.SourceDashboard].Billable != 1 {
		t.Fatalf("by source %+v", rep.BySource)
	}
	if n := countRows(t, d, "SELECT count(*) FROM verifications WHERE tenant_id = ?", a); n != rep.Totals.Total() {
		t.Fatalf("%d verifications recorded, %d rolled up", n, rep.Totals.Total())
	}
}
