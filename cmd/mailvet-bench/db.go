package main

import (
	"context"
	"fmt"
	"io"
	"net/url"

	"mailvet/config"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/wiring"
)

// benchDB is the database a bench runs on.
type benchDB struct {
	db       *db.DB // connected as the service's role
	ownerURL string // the login, the tables' owner (VACUUM)
	role     string // the service's role (MAILVET_DB_ROLE), for a serve process
	where    string // for the report
	shared   bool   // DATABASE_URL: remove what the bench made afterwards
	drop     func() error
}

// openBenchDB opens DATABASE_URL as the service would (MAILVET_DB_ROLE,
// migrated, row-level security binding the role), or creates a throwaway
// database on the server at adminURL with the one throwaway-database
// helper the tests use, connected as the role the tests use.
func openBenchDB(ctx context.Context, lookup env, adminURL string) (*benchDB, error) {
	if u, ok := lookup("DATABASE_URL"); ok && u != "" {
		cfg, err := config.Load(lookup)
		if err != nil {
			return nil, fmt.Errorf("invalid settings:\n%w", err)
		}
		d, err := wiring.OpenDB(ctx, cfg)
		if err != nil {
			return nil, err
		}
		if pending, err := d.PendingMigrations(ctx); err != nil || pending > 0 {
			d.Close()
			return nil, fmt.Errorf("DATABASE_URL is not migrated (%d pending, %v): run `mailvet migrate` first", pending, err)
		}
		if err := d.CheckGuard(ctx); err != nil {
			d.Close()
			return nil, fmt.Errorf("%w (MAILVET_DB_ROLE=%q): the bench measures the service as it runs", err, cfg.DBRole)
		}
		return &benchDB{db: d, ownerURL: u, role: cfg.DBRole, shared: true,
			where: "DATABASE_URL (" + redactURL(u) + "); the bench tenant is deleted afterwards"}, nil
	}
	u, drop, err := dbtest.CreateOn(ctx, adminURL)
	if err != nil {
		return nil, fmt.Errorf("create a throwaway database (or set DATABASE_URL): %w", err)
	}
	d, err := db.Open(ctx, u, db.Options{MaxConns: 20, Role: dbtest.Role})
	if err != nil {
		_ = drop()
		return nil, err
	}
	parsed, _ := url.Parse(u)
	return &benchDB{db: d, ownerURL: u, role: dbtest.Role, drop: drop,
		where: "throwaway " + parsed.Path[1:] + " on " + parsed.Host + " as role " + dbtest.Role + " (dropped afterwards)"}, nil
}

// close closes the connection and drops a throwaway database.
func (b *benchDB) close(stderr io.Writer) {
	b.db.Close()
	if b.drop != nil {
		if err := b.drop(); err != nil {
			fmt.Fprintln(stderr, err)
		}
	}
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
