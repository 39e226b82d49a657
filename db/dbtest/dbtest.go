// Package dbtest gives each test a fresh PostgreSQL database cloned from a
// migrated template, so packages and tests run in parallel without sharing
// rows. It is the one way tests get a database.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/db"
)

// AdminURL is the server tests create their databases on:
// TEST_DATABASE_URL, else the local server with trust auth.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Role is the role tests run the service as, like production: neither a
// superuser nor BYPASSRLS, so row-level security applies to every query.
const Role = "mailvet_app"

// New returns a migrated, empty database that is dropped when t ends,
// connected as Role. Without a reachable server the test is skipped,
// unless CI=true, where a missing database is a failure.
func New(t testing.TB) *db.DB {
	t.Helper()
	d, _ := NewWithURL(t)
	return d
}

// NewWithURL is New that also returns the database's URL, for tests that
// start another process (a worker, the CLI) against it; such a process
// must set MAILVET_DB_ROLE to Role.
func NewWithURL(t testing.TB) (*db.DB, string) {
	t.Helper()
	return open(t, db.Options{MaxConns: 20, Role: Role})
}

// NewOwner is New connected as the tables' owner (the server's
// superuser): for tests of migrations and of the guard itself.
func NewOwner(t testing.TB) *db.DB {
	t.Helper()
	d, _ := open(t, db.Options{MaxConns: 8})
	return d
}

func open(t testing.TB, opts db.Options) (*db.DB, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	admin, err := pgx.Connect(ctx, AdminURL())
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI (TEST_DATABASE_URL=%q): %v", AdminURL(), err)
		}
		t.Skipf("no PostgreSQL at %s: %v", AdminURL(), err)
	}
	defer admin.Close(context.Background())

	template, err := ensureTemplate(ctx, admin)
	if err != nil {
		t.Fatalf("prepare template database: %v", err)
	}

	name := "mailvet_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	testURL := withDatabase(AdminURL(), name)
	d, err := db.Open(ctx, testURL, opts)
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, AdminURL())
		if err != nil {
			t.Logf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	return d, testURL
}

// ensureTemplate builds the migrated template for the current schema once
// per server; concurrent test binaries wait on an advisory lock.
func ensureTemplate(ctx context.Context, admin *pgx.Conn) (string, error) {
	fp, err := db.SchemaFingerprint()
	if err != nil {
		return "", err
	}
	name := "mailvet_tpl_" + fp
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock(hashtext($1))", name); err != nil {
		return "", err
	}
	defer admin.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", name) //nolint:errcheck

	// datistemplate marks a template whose migration finished; anything else
	// by that name is the leftover of an interrupted build.
	var ready *bool
	err = admin.QueryRow(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	if err != nil && err != pgx.ErrNoRows {
		return "", err
	}
	if ready != nil && *ready {
		return name, nil
	}
	if ready != nil {
		if _, err := admin.Exec(ctx, fmt.Sprintf("DROP DATABASE %s WITH (FORCE)", name)); err != nil {
			return "", err
		}
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s", name)); err != nil {
		return "", err
	}
	tpl, err := db.Open(ctx, withDatabase(AdminURL(), name), db.Options{MaxConns: 4})
	if err != nil {
		return "", err
	}
	_, err = tpl.Migrate(ctx)
	if err == nil {
		err = tpl.GrantTo(ctx, Role)
	}
	tpl.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template: %w", err)
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf("ALTER DATABASE %s WITH is_template true", name)); err != nil {
		return "", err
	}
	return name, nil
}

func withDatabase(raw, name string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = "/" + name
	return u.String()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
