package dbtest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"mailvet/db"
)

// RequireHidden checks, through row-level security alone, that a
// transaction of viewer sees none of the rows of tables, and that an
// UPDATE or DELETE there aimed at owner's rows touches none. The
// statements name no tenant filter of the viewer's: only the database's
// guard stands between viewer and owner. Every store's isolation test
// calls it for the tables the store owns, besides its own API checks.
//
// It first checks that owner's own transaction does see rows in each
// table, so that an empty table cannot pass for a hidden one.
func RequireHidden(t testing.TB, d *db.DB, viewer, owner uuid.UUID, tables ...string) {
	t.Helper()
	err := d.Tx(context.Background(), db.Tenant(owner), func(ctx context.Context, tx db.Tx) error {
		for _, table := range tables {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				t.Errorf("the owner has no rows of %s: seed some before checking they are hidden", table)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Tx(context.Background(), db.Tenant(viewer), func(ctx context.Context, tx db.Tx) error {
		for _, table := range tables {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				return err
			}
			if n != 0 {
				t.Errorf("another tenant's transaction sees %d rows of %s", n, table)
			}
			for _, stmt := range []string{
				"UPDATE " + table + " SET tenant_id = tenant_id WHERE tenant_id = ?",
				"DELETE FROM " + table + " WHERE tenant_id = ?",
			} {
				res, err := tx.ExecContext(ctx, stmt, owner)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n != 0 {
					t.Errorf("%s in another tenant's transaction touched %d rows", stmt, n)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
