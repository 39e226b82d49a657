package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/requestlog"
)

// The periodic upkeep, on a real River worker, makes the partition a week
// ahead that is missing and drops one past the retention.
func TestRequestLogUpkeepJobMakesAndDropsPartitions(t *testing.T) {
	d, dbURL := dbtest.NewWithURL(t)
	ctx := context.Background()
	now := time.Now().UTC()
	ahead := "request_logs_p" + now.AddDate(0, 0, requestlog.DaysAhead).Format("20060102")
	old := "request_logs_p" + now.AddDate(0, 0, -40).Format("20060102")
	// As the tables' owner (the login): take the last day ahead away, as
	// if the migration had run a day earlier.
	owner, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, "DROP TABLE "+pgx.Identifier{ahead}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	if err := d.Tx(ctx, db.System("test: an old day's partition"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT request_logs_make_partitions(?::date, 1)`, now.AddDate(0, 0, -40).Format(time.DateOnly))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	exists := func(name string) bool {
		var ok bool
		if err := owner.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", name).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if exists(ahead) || !exists(old) {
		t.Fatal("the set-up did not take")
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	worker, err := jobs.NewClient(d, jobs.Deps{Mailer: discardSender{}, RequestLogs: requestlog.NewStore(d), RequestLogRetention: 30 * 24 * time.Hour},
		jobs.Options{Work: true, Logger: log, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })
	deadline := time.Now().Add(30 * time.Second)
	for !exists(ahead) || exists(old) {
		if time.Now().After(deadline) {
			t.Fatalf("after 30s: %s exists %v (want true), %s exists %v (want false)", ahead, exists(ahead), old, exists(old))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
