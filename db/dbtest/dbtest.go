// Package dbtest gives each test a fresh PostgreSQL database cloned from a
// migrated template, so packages and tests run in parallel without sharing
// rows. It is the one way tests get a database.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	testURL, drop, err := Create(ctx)
	if errors.Is(err, ErrNoServer) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI (TEST_DATABASE_URL=%q): %v", AdminURL(), err)
		}
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(ctx, testURL, opts)
	if err != nil {
		if dropErr := drop(); dropErr != nil {
			t.Log(dropErr)
		}
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(func() {
		d.Close()
		if err := drop(); err != nil {
			t.Log(err)
		}
	})
	return d, testURL
}

// ErrNoServer says the server throwaway databases are made on does not
// answer (tests skip on it outside CI).
var ErrNoServer = errors.New("no PostgreSQL server")

// Create makes a migrated, empty throwaway database on the server at
// AdminURL, for callers that have no testing.TB (the list benchmark
// command). See CreateOn.
func Create(ctx context.Context) (dbURL string, drop func() error, err error) {
	return CreateOn(ctx, AdminURL())
}

// CreateOn makes a migrated, empty database on the server at adminURL,
// cloned from a template of the current schema (with Role granted), and
// returns its URL (the admin URL's login: connect with db.Options.Role
// to run as the service does) and drop, which removes that database and
// nothing else.
func CreateOn(ctx context.Context, adminURL string) (dbURL string, drop func() error, err error) {
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("%w at %s: %v", ErrNoServer, redacted(adminURL), err)
	}
	defer admin.Close(context.WithoutCancel(ctx))

	template, err := ensureTemplate(ctx, admin, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("prepare template database: %w", err)
	}
	name := "mailvet_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		return "", nil, fmt.Errorf("create throwaway database: %w", err)
	}
	return withDatabase(adminURL, name), dropper(adminURL, name), nil
}

// dropper is the drop of the database name on the server at adminURL.
func dropper(adminURL, name string) func() error {
	return func() error {
		// A context of its own: the drop must happen even when the
		// caller's has ended.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err == nil {
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name))
		}
		if err != nil {
			return fmt.Errorf("drop %s: %w", name, err)
		}
		return nil
	}
}

// ensureTemplate builds the migrated template for the current schema once
// per server; concurrent test binaries wait on an advisory lock.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, adminURL string) (string, error) {
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
	tpl, err := db.Open(ctx, withDatabase(adminURL, name), db.Options{MaxConns: 4})
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

// redacted is raw without its password, for messages.
func redacted(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
