package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/db/dbtest"
)

// QueryRow and Exec run one statement in its scope in one round trip: a
// tenant's sees only its own rows (and the setting ends with it), the
// system path sees every tenant's, and no tenant is refused.
func TestSingleStatementsKeepTheirScope(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a, b := newTenant(t, d, "one-a"), newTenant(t, d, "one-b")
	n, err := d.Exec(ctx, db.Tenant(a), `INSERT INTO rules (tenant_id, kind, pattern, action) VALUES ($1, 'domain', 'a.example', 'block')`, a)
	if err != nil || n != 1 {
		t.Fatalf("A's insert: %d rows, %v", n, err)
	}
	if _, err := d.Exec(ctx, db.Tenant(b), `INSERT INTO rules (tenant_id, kind, pattern, action) VALUES ($1, 'domain', 'x.example', 'block')`, a); err == nil {
		t.Fatal("B inserted a rule for A")
	}
	count := func(s db.Scope) int {
		t.Helper()
		var n int
		if err := d.QueryRow(ctx, s, `SELECT count(*) FROM rules`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count(db.Tenant(a)); got != 1 {
		t.Fatalf("A sees %d rules, want 1", got)
	}
	if got := count(db.Tenant(b)); got != 0 {
		t.Fatalf("B sees %d of A's rules", got)
	}
	if got := count(db.System("test: count every tenant's rules")); got != 1 {
		t.Fatalf("the system path sees %d rules, want 1", got)
	}
	if n, err := d.Exec(ctx, db.Tenant(b), `DELETE FROM rules`); err != nil || n != 0 {
		t.Fatalf("B's delete touched %d rows (%v)", n, err)
	}
	// The batch's setting ended with its statement: the connection it ran
	// on (sequential queries take the same idle one back) sees no tenant.
	for range d.Pool.Config().MaxConns {
		var got *string
		if err := d.Pool.QueryRow(ctx, `SELECT nullif(current_setting('app.tenant_id', true), '')`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != nil {
			t.Fatalf("a pooled connection still carries tenant %q", *got)
		}
	}
	var none int
	if err := d.QueryRow(ctx, db.Tenant(uuid.Nil), `SELECT 1`).Scan(&none); !errors.Is(err, db.ErrNoTenant) {
		t.Fatalf("QueryRow without a tenant = %v, want ErrNoTenant", err)
	}
	if _, err := d.Exec(ctx, db.Tenant(uuid.Nil), `SELECT 1`); !errors.Is(err, db.ErrNoTenant) {
		t.Fatalf("Exec without a tenant = %v, want ErrNoTenant", err)
	}
}

// A panic inside a transaction rolls it back and reaches the caller; the
// connection goes back to the pool instead of waiting on the open
// transaction.
func TestPanicInTxRollsBack(t *testing.T) {
	d := dbtest.New(t)
	a := newTenant(t, d, "panic-a")
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		_ = d.Tx(context.Background(), db.Tenant(a), func(ctx context.Context, tx db.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO rules (tenant_id, kind, pattern, action) VALUES (?, 'domain', 'p.example', 'block')`, a); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	if n := countRules(t, d, db.Tenant(a)); n != 0 {
		t.Fatalf("the panicking transaction left %d rows", n)
	}
}

// The platform scope reaches the tables of no tenant and no tenant's rows.
func TestPlatformScopeSeesNoTenantRows(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a := newTenant(t, d, "platform-a")
	if _, err := d.Exec(ctx, db.Tenant(a), `INSERT INTO rules (tenant_id, kind, pattern, action) VALUES ($1, 'domain', 'a.example', 'block')`, a); err != nil {
		t.Fatal(err)
	}
	if n := countRules(t, d, db.Platform()); n != 0 {
		t.Fatalf("the platform scope sees %d tenant rows", n)
	}
	var plans int
	if err := d.QueryRow(ctx, db.Platform(), `SELECT count(*) FROM plans`).Scan(&plans); err != nil || plans == 0 {
		t.Fatalf("the platform scope reads %d plans (%v)", plans, err)
	}
}
