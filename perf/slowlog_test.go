package perf_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/perf"
	"mailvet/testlog"
)

// A statement over the threshold is logged with its template, duration
// and route, and kept in the table, through bun and through pgx alike;
// its values (the literal in the SQL, the bound $1) are in neither.
func TestSlowQueryIsLoggedAndKeptWithoutItsValues(t *testing.T) {
	d := dbtest.New(t)
	var logs testlog.Buffer
	slow := perf.NewSlowLog(d, 50*time.Millisecond, slog.New(slog.NewJSONHandler(&logs, nil)))
	d.ObserveQueries(slow)
	t.Cleanup(func() { d.ObserveQueries(nil) })
	ctx := db.WithLabel(context.Background(), func() string { return "GET /v1/slow" })

	// Through bun, with a value bun formats into the SQL.
	if err := d.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_sleep(0.1), 'secret-bun-value' || ?`, "bound-bun-value")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Through pgx (what d.QueryRow sends), with a bound value.
	var s string
	if err := d.QueryRow(ctx, db.Platform(), `SELECT 'secret-pgx-value' || $1::text FROM pg_sleep(0.1)`, "bound-pgx-value").Scan(&s); err != nil {
		t.Fatal(err)
	}
	// Fast statements are not kept.
	if _, err := d.Exec(ctx, db.Platform(), `SELECT 1`); err != nil {
		t.Fatal(err)
	}
	slow.Close() // writes what is queued

	admin := actor.PlatformAdmin(uuid.New(), "ops@example.com")
	rows, err := perf.NewService(d).SlowQueries(context.Background(), 10, admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("kept %d slow statements, want 2: %+v", len(rows), rows)
	}
	// Slowest first: both slept 100 ms, so either may lead.
	if rows[0].Duration < rows[1].Duration {
		t.Errorf("not slowest first: %+v", rows)
	}
	for _, want := range []string{`SELECT ? || $1::text FROM pg_sleep(?)`, `SELECT pg_sleep(?), ? || ?`} {
		i := slices.IndexFunc(rows, func(r perf.SlowQuery) bool { return r.Template == want })
		if i < 0 || rows[i].Label != "GET /v1/slow" || rows[i].Duration < 100*time.Millisecond {
			t.Errorf("no row of template %q, label GET /v1/slow, at least 100ms: %+v", want, rows)
		}
	}
	out := logs.String()
	if strings.Count(out, `"msg":"slow query"`) != 2 || !strings.Contains(out, `"source":"GET /v1/slow"`) {
		t.Errorf("log has not both slow queries with their route:\n%s", out)
	}
	if strings.Contains(out, "secret") || strings.Contains(out, "bound-") {
		t.Errorf("log shows a value:\n%s", out)
	}
	for _, r := range rows {
		if strings.Contains(r.Template, "secret") || strings.Contains(r.Template, "bound-") {
			t.Errorf("table shows a value: %q", r.Template)
		}
	}
	if _, err := perf.NewService(d).SlowQueries(context.Background(), 10, actor.System("job")); err == nil {
		t.Error("a job read the slow queries")
	}
}

// The table keeps the newest 500 slow statements.
func TestSlowQueriesAreBounded(t *testing.T) {
	d := dbtest.New(t)
	slow := perf.NewSlowLog(d, time.Millisecond, nil)
	for i := range 520 {
		slow.ObserveQuery(context.Background(), db.Statement{SQL: fmt.Sprintf("SELECT %d", i), Duration: time.Second, Label: "test"})
		if i%200 == 199 {
			// Let the writer catch up, so that its buffer never sheds one.
			waitKept(t, d, min(i+1, 500))
		}
	}
	slow.Close()
	if n := waitKept(t, d, 500); n != 500 {
		t.Fatalf("kept %d", n)
	}
	rows, err := perf.NewService(d).SlowQueries(context.Background(), 1, actor.PlatformAdmin(uuid.New(), "ops@example.com"))
	if err != nil || len(rows) != 1 || rows[0].Template != "SELECT ?" {
		t.Fatalf("newest %+v, %v", rows, err)
	}
	if slow.Dropped() != 0 {
		t.Fatalf("%d dropped", slow.Dropped())
	}
}

// waitKept waits until the table holds want rows and returns the count.
func waitKept(t *testing.T, d *db.DB, want int) int {
	t.Helper()
	var n int
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if err := d.QueryRow(context.Background(), db.Platform(), `SELECT count(*) FROM slow_queries`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == want {
			break
		}
	}
	return n
}
