package schedules

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/lists"
	"mailvet/verify"
)

// What a year of monthly runs of a 1,000,000-row list costs in table
// size: the list's rows are stored once and each run adds only the
// addresses whose status changed (2% a month here, a typical decay). It
// writes through the runs' own chunk writer, with the engine's verdicts
// made up (the engine is measured elsewhere). Slow, so it runs only when
// asked:
//
//	MAILVET_MEASURE_STORAGE=1 go test -run TestStorageOfAYearOfMonthlyRuns -v -timeout 30m ./schedules/
//
// (MAILVET_MEASURE_ROWS changes the size of the list.)
func TestStorageOfAYearOfMonthlyRuns(t *testing.T) {
	if os.Getenv("MAILVET_MEASURE_STORAGE") == "" {
		t.Skip("set MAILVET_MEASURE_STORAGE=1 to measure (minutes)")
	}
	rows := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("MAILVET_MEASURE_ROWS")); err == nil && n > 0 {
		rows = n
	}
	ctx := context.Background()
	d := dbtest.New(t)
	tenantID, listID := uuid.New(), uuid.New()
	sys := func(query string, args ...any) {
		t.Helper()
		if err := d.Tx(ctx, db.System("test: seed a million-row list"), func(ctx context.Context, tx db.Tx) error {
			_, err := tx.ExecContext(ctx, query, args...)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	sys(`INSERT INTO tenants (id, name, slug) VALUES (?, 'Measure', 'measure')`, tenantID)
	sys(`INSERT INTO lists (id, tenant_id, name, status, dedupe, total_rows, unique_rows, processed_rows, deliverable)
		VALUES (?, ?, 'million', 'completed', 'exact', ?, ?, ?, ?)`, listID, tenantID, rows, rows, rows, rows)
	sys(`INSERT INTO list_rows (tenant_id, list_id, row_no, line, fields, email, state, status, reason, score, disposable, role, free, catch_all, mx, checked_at)
		SELECT ?, ?, n, n, ARRAY['user' || n || '@example.com', 'First', 'Last'], 'user' || n || '@example.com', 'done',
			'deliverable', 'accepted_email', 95, false, false, false, false, 'mx.example.com', now()
		FROM generate_series(1, ?) AS n`, tenantID, listID, rows)
	size := func(table string) int64 {
		var n int64
		if err := d.Tx(ctx, db.System("test: measure"), func(ctx context.Context, tx db.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT pg_total_relation_size(?::regclass)`, table).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	baseRows := size("list_rows")

	s := NewService(Deps{DB: d})
	r := NewRunner(s, nil, 5000)
	status := make([]verify.Status, rows+1)
	for i := range status {
		status[i] = verify.Deliverable
	}
	start := time.Now()
	changed := 0
	for month := 1; month <= 12; month++ {
		period := time.Date(2027, time.Month(month), 1, 3, 0, 0, 0, time.UTC)
		runID := uuid.New()
		sys(`INSERT INTO list_runs (id, tenant_id, list_id, trigger, period, status, total, started_at) VALUES (?, ?, ?, 'manual', ?, 'running', ?, now())`,
			runID, tenantID, listID, period, rows)
		args := RunArgs{TenantID: tenantID, RunID: runID}
		run := Run{checkpoint: 0}
		for from := 1; from <= rows; from += r.chunk {
			to := min(from+r.chunk-1, rows)
			addrs := make([]lists.Address, 0, to-from+1)
			verdicts := make([]lists.Reverified, 0, to-from+1)
			for n := from; n <= to; n++ {
				if (n*7919+month*104729)%50 == 0 { // 2% decay a month, some of it back
					if status[n] == verify.Deliverable {
						status[n] = verify.Undeliverable
					} else {
						status[n] = verify.Deliverable
					}
				}
				res := verify.Result{Status: status[n], Reason: verify.ReasonAccepted, Score: 95, CheckedAt: period}
				if status[n] == verify.Undeliverable {
					res.Reason, res.Score = verify.ReasonRejected, 0
				}
				mx := "mx.example.com"
				res.MX = &mx
				addrs = append(addrs, lists.Address{RowNo: n, Email: fmt.Sprintf("user%d@example.com", n)})
				verdicts = append(verdicts, lists.Reverified{RowNo: n, Result: res, Answered: true})
			}
			var err error
			if run, err = r.write(ctx, args, run, false, addrs, verdicts); err != nil {
				t.Fatal(err)
			}
		}
		if err := r.finish(ctx, args); err != nil {
			t.Fatal(err)
		}
		changed += run.Changed
		t.Logf("month %2d: %d changed (%s so far)", month, run.Changed, time.Since(start).Round(time.Second))
	}
	total := size("list_rows") + size("list_runs") + size("list_run_changes")
	t.Logf("%d rows, 12 monthly runs, %d status changes stored", rows, changed)
	t.Logf("list_rows before the runs: %s; after: list_rows %s + list_runs %s + list_run_changes %s = %s",
		mb(baseRows), mb(size("list_rows")), mb(size("list_runs")), mb(size("list_run_changes")), mb(total))
	t.Logf("the runs added %s; twelve full copies of the results would be about %s", mb(total-baseRows), mb(12*baseRows))
	if total-baseRows > 3*baseRows {
		t.Fatalf("a year of runs added %s to a %s list: not compact", mb(total-baseRows), mb(baseRows))
	}
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }
