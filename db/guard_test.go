package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"mailvet/db"
	"mailvet/db/dbtest"
)

// Every table with a tenant_id column has row-level security enabled and
// forced, with a policy. A table added later without them fails here.
func TestEveryTenantTableIsGuarded(t *testing.T) {
	d := dbtest.New(t)
	rows, err := d.Pool.Query(context.Background(), `
		SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
			EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
		FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name string
		var enabled, forced, policy bool
		if err := rows.Scan(&name, &enabled, &forced, &policy); err != nil {
			t.Fatal(err)
		}
		seen++
		if !enabled || !forced || !policy {
			t.Errorf("table %s: row level security enabled=%v forced=%v policy=%v, want all true", name, enabled, forced, policy)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen < 10 {
		t.Fatalf("found %d tables with tenant_id; the catalog query is wrong", seen)
	}
}

// The service's role is neither superuser nor BYPASSRLS, and CheckGuard
// refuses the owner's superuser login.
func TestServiceRoleCannotBypassTheGuard(t *testing.T) {
	ctx := context.Background()
	if err := dbtest.New(t).CheckGuard(ctx); err != nil {
		t.Fatalf("service role: %v", err)
	}
	err := dbtest.NewOwner(t).CheckGuard(ctx)
	if !errors.Is(err, db.ErrGuardBypassed) {
		t.Fatalf("superuser login: CheckGuard = %v, want ErrGuardBypassed", err)
	}
}

func newTenant(t *testing.T, d *db.DB, slug string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := d.Tx(context.Background(), db.System("test: create a tenant"), func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id`, slug, slug).Scan(&id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func countRules(t *testing.T, d *db.DB, s db.Scope) int {
	t.Helper()
	var n int
	err := d.Tx(context.Background(), s, func(ctx context.Context, tx db.Tx) error {
		// No tenant filter on purpose: the policy alone decides.
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM rules`).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A statement with no tenant filter, run in B's transaction, sees none of
// A's rows and cannot write one for A; without a tenant nothing is seen.
func TestGuardHidesOtherTenantsRows(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a, b := newTenant(t, d, "guard-a"), newTenant(t, d, "guard-b")
	err := d.Tx(ctx, db.Tenant(a), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO rules (tenant_id, kind, pattern, action) VALUES (?, 'domain', 'a.example', 'block')`, a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := countRules(t, d, db.Tenant(a)); n != 1 {
		t.Fatalf("A sees %d of its rules, want 1", n)
	}
	if n := countRules(t, d, db.Tenant(b)); n != 0 {
		t.Fatalf("B sees %d of A's rules, want 0", n)
	}
	if n := countRules(t, d, db.System("test: count every tenant's rules")); n != 1 {
		t.Fatalf("the system path sees %d rules, want 1", n)
	}

	// B can neither update, delete nor insert A's rows.
	err = d.Tx(ctx, db.Tenant(b), func(ctx context.Context, tx db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE rules SET pattern = 'b.example'`)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 0 {
			t.Errorf("B updated %d of A's rules", n)
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM rules`)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 0 {
			t.Errorf("B deleted %d of A's rules", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Tx(ctx, db.Tenant(b), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO rules (tenant_id, kind, pattern, action) VALUES (?, 'domain', 'x.example', 'block')`, a)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("B writing a row for A: %v, want a row-level security violation", err)
	}

	// A connection with no tenant set sees nothing, outside the helper too.
	conn, err := d.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM rules`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("a connection without a tenant sees %d rules, want 0", n)
	}
	if err := d.Tx(ctx, db.Tenant(uuid.Nil), func(context.Context, db.Tx) error { return nil }); !errors.Is(err, db.ErrNoTenant) {
		t.Fatalf("Tx without a tenant = %v, want ErrNoTenant", err)
	}
}

// COPY runs inside the helper's transaction, with its tenant: rolled back
// with it, and refused for another tenant's rows.
func TestCopyFromRunsInTheTransaction(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a, b := newTenant(t, d, "copy-a"), newTenant(t, d, "copy-b")
	copyRule := func(s db.Scope, tenant uuid.UUID, fail bool) error {
		return d.Tx(ctx, s, func(ctx context.Context, tx db.Tx) error {
			n, err := tx.CopyFrom(ctx, "rules", []string{"tenant_id", "kind", "pattern", "action"},
				pgx.CopyFromRows([][]any{{tenant, "domain", "copy.example", "block"}}))
			if err != nil {
				return err
			}
			if n != 1 {
				t.Errorf("copied %d rows, want 1", n)
			}
			if fail {
				return errors.New("roll back")
			}
			return nil
		})
	}
	if err := copyRule(db.Tenant(a), a, true); err == nil {
		t.Fatal("want the callee's error")
	}
	if n := countRules(t, d, db.Tenant(a)); n != 0 {
		t.Fatalf("rolled-back COPY left %d rows", n)
	}
	if err := copyRule(db.Tenant(a), a, false); err != nil {
		t.Fatal(err)
	}
	if n := countRules(t, d, db.Tenant(a)); n != 1 {
		t.Fatalf("COPY wrote %d rows, want 1", n)
	}
	if err := copyRule(db.Tenant(b), a, false); err == nil {
		t.Fatal("B copied a row for A")
	}
}

// The tenant set by a transaction ends with it: no pooled connection
// carries it into the next piece of work.
func TestTenantSettingEndsWithTheTransaction(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a := newTenant(t, d, "leak-a")
	for range 40 {
		err := d.Tx(ctx, db.Tenant(a), func(ctx context.Context, tx db.Tx) error {
			var got string
			if err := tx.QueryRowContext(ctx, `SELECT current_setting('app.tenant_id', true)`).Scan(&got); err != nil {
				return err
			}
			if got != a.String() {
				t.Errorf("inside the transaction app.tenant_id = %q", got)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// Hold every connection of the tenant pool at once and ask each.
	conns := make([]*pgxpool.Conn, 0, d.Pool.Config().MaxConns)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	for range d.Pool.Config().MaxConns {
		c, err := d.Pool.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var got *string
		if err := c.QueryRow(ctx, `SELECT nullif(current_setting('app.tenant_id', true), '')`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != nil {
			t.Fatalf("a pooled connection still carries tenant %q", *got)
		}
	}
}
