package dbtest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// NewEmptyURL returns the URL (the admin URL's login) of a database with
// no tables at all, not even migrations, dropped when t ends: what a
// restore drill restores into. Skipped without a server outside CI, as New.
func NewEmptyURL(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI (TEST_DATABASE_URL=%q): %v", AdminURL(), err)
		}
		t.Skipf("%v at %s: %v", ErrNoServer, redacted(AdminURL()), err)
	}
	defer admin.Close(ctx)
	name := "mailvet_test_empty_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create empty database: %v", err)
	}
	drop := dropper(AdminURL(), name)
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Log(err)
		}
	})
	return withDatabase(AdminURL(), name)
}
