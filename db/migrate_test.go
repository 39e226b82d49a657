package db_test

import (
	"context"
	"io/fs"
	"sync"
	"testing"

	"mailvet/db"
	"mailvet/db/dbtest"
)

func TestMigrateIsCurrentAndIdempotent(t *testing.T) {
	d := dbtest.NewOwner(t)
	ctx := context.Background()

	pending, err := d.PendingMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pending != 0 {
		t.Fatalf("template database has %d pending migrations", pending)
	}
	res, err := d.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 0 || len(res.RiverApplied) != 0 {
		t.Fatalf("second migrate applied %v / river %v, want nothing", res.Applied, res.RiverApplied)
	}
}

// Two `mailvet migrate` at once on an empty database must both succeed, one
// waiting for the other, and leave everything applied exactly once.
func TestConcurrentMigrateOnEmptyDatabase(t *testing.T) {
	d := dbtest.NewOwner(t)
	ctx := context.Background()
	// Start from nothing: drop what the template applied.
	if _, err := d.SQL.ExecContext(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	pending, err := d.PendingMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pending == 0 {
		t.Fatal("expected pending migrations on an empty schema")
	}

	var wg sync.WaitGroup
	results := make([]db.MigrateResult, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = d.Migrate(ctx)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("migrate %d: %v", i, err)
		}
	}
	ups, err := fs.Glob(db.MigrationsFS(), "*.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	total := len(results[0].Applied) + len(results[1].Applied)
	if total != len(ups) {
		t.Fatalf("applied %d+%d of our migrations, want exactly %d in all", len(results[0].Applied), len(results[1].Applied), len(ups))
	}
	if pending, err := d.PendingMigrations(ctx); err != nil || pending != 0 {
		t.Fatalf("pending after concurrent migrate = %d, %v", pending, err)
	}
}
