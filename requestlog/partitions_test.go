package requestlog_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/requestlog"
)

func partitions(t *testing.T, d *db.DB) []string {
	t.Helper()
	var names []string
	err := d.Tx(context.Background(), db.System("test: list the partitions"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = 'request_logs'::regclass ORDER BY 1`).Scan(ctx, &names)
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func partitionOf(t time.Time) string { return "request_logs_p" + t.UTC().Format("20060102") }

// The upkeep makes a week of partitions ahead and drops the days past the
// retention with their rows; the days inside it keep theirs. A request
// of a day with no partition yet (the writer got there first) makes its own.
func TestMaintainMakesDaysAheadAndDropsOldOnes(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	store := requestlog.NewStore(d)
	now := time.Now()

	// Requests 40 and 20 days old: their days have no partition (the
	// migration made yesterday on), so the writer makes them.
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Every: time.Hour})
	old, recent := entry(tenant, 1), entry(tenant, 2)
	old.At, recent.At = now.AddDate(0, 0, -40), now.AddDate(0, 0, -20)
	w.Record(old)
	w.Record(recent)
	w.Record(entry(tenant, 3))
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Failed() != 0 || countRows(t, d) != 3 {
		t.Fatalf("failed %d, rows %d; want 0 and 3", w.Failed(), countRows(t, d))
	}

	up, err := store.Maintain(ctx, now, 30*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(up.Dropped, []string{partitionOf(old.At)}) {
		t.Fatalf("dropped %v, want only %s", up.Dropped, partitionOf(old.At))
	}
	have := partitions(t, d)
	for i := -1; i <= requestlog.DaysAhead; i++ {
		if name := partitionOf(now.AddDate(0, 0, i)); !slices.Contains(have, name) {
			t.Errorf("no partition %s (day %+d) after the upkeep: %v", name, i, have)
		}
	}
	if !slices.Contains(have, partitionOf(recent.At)) {
		t.Errorf("the partition of 20 days ago went: %v", have)
	}
	if n := countRows(t, d); n != 2 {
		t.Fatalf("%d rows after the upkeep, want 2 (the 40-day-old one gone)", n)
	}

	// A second run has nothing left to do.
	up, err = store.Maintain(ctx, now, 30*24*time.Hour)
	if err != nil || up.Made != 0 || len(up.Dropped) != 0 {
		t.Fatalf("second run: %+v, %v; want nothing done", up, err)
	}
}

// Dropping drops every tenant's rows: a tenant's transaction may not.
func TestDropPartitionsIsSystemPathOnly(t *testing.T) {
	d := dbtest.New(t)
	tenant := newTenant(t, d)
	err := d.Tx(context.Background(), db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `SELECT request_logs_drop_partitions(current_date + 30)`)
		return err
	})
	if err == nil {
		t.Fatal("a tenant's transaction dropped partitions")
	}
	if len(partitions(t, d)) == 0 {
		t.Fatal("partitions gone")
	}
}
