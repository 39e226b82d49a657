package db_test

import (
	"context"
	"net/url"
	"testing"

	"mailvet/db"
	"mailvet/db/dbtest"
)

// Every connection of both pools runs without JIT (see openPool), unless
// the URL asks for it.
func TestConnectionsRunWithoutJIT(t *testing.T) {
	d, dbURL := dbtest.NewWithURL(t)
	ctx := context.Background()
	jit := func(d *db.DB, s db.Scope) string {
		t.Helper()
		var v string
		if err := d.QueryRow(ctx, s, `SHOW jit`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := jit(d, db.Platform()); got != "off" {
		t.Fatalf("platform pool: jit = %s, want off", got)
	}
	if got := jit(d, db.Tenant(newTenant(t, d, "jit"))); got != "off" {
		t.Fatalf("tenant pool: jit = %s, want off", got)
	}

	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("jit", "on")
	u.RawQuery = q.Encode()
	asked, err := db.Open(ctx, u.String(), db.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer asked.Close()
	if got := jit(asked, db.Platform()); got != "on" {
		t.Fatalf("a URL with jit=on: jit = %s", got)
	}
}
