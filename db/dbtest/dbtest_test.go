package dbtest_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"mailvet/db"
	"mailvet/db/dbtest"
)

// Create hands out a migrated database that the service role can use, and
// its drop removes it.
func TestCreateGivesAMigratedDatabaseThatDropRemoves(t *testing.T) {
	ctx := context.Background()
	u, drop, err := dbtest.Create(ctx)
	if errors.Is(err, dbtest.ErrNoServer) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, u, db.Options{MaxConns: 4, Role: dbtest.Role})
	if err != nil {
		_ = drop()
		t.Fatal(err)
	}
	pending, err := d.PendingMigrations(ctx)
	d.Close()
	if err != nil || pending != 0 {
		_ = drop()
		t.Fatalf("%d migrations pending: %v", pending, err)
	}
	if err := drop(); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		t.Fatal(err)
	}
	var left bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", cfg.Database).Scan(&left); err != nil || left {
		t.Fatalf("database %s still there after drop (%v)", cfg.Database, err)
	}
}
