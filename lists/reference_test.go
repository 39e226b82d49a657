package lists_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"mailvet/db"
	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// The rows of a list keep to it as a foreign key would (the triggers of
// migration list_rows_checked_per_statement): no row names a list that
// does not exist, none moves to another list, and a list's delete takes
// its rows and only its rows.
func TestRowsKeepToTheirList(t *testing.T) {
	e := setup(t, mailsim.Start(t, mailsim.Config{}), lists.Options{})
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	create := func(name string, emails ...string) lists.List {
		t.Helper()
		l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: name, Emails: emails})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	kept, gone := create("kept", "ann@y.test", "bob@y.test"), create("gone", "cy@y.test", "di@y.test", "ed@y.test")

	exec := func(query string, args ...any) error {
		return e.d.Tx(ctx, db.Tenant(a.ID), func(ctx context.Context, tx db.Tx) error {
			_, err := tx.ExecContext(ctx, query, args...)
			return err
		})
	}
	isReference := func(err error) bool {
		var pg *pgconn.PgError
		return errors.As(err, &pg) && pg.Code == "23503" && pg.ConstraintName == "list_rows_list_fkey"
	}
	insert := `INSERT INTO list_rows (tenant_id, list_id, row_no, line, fields, email, state) VALUES (?, ?, 99, 99, '{}', 'x@y.test', 'pending')`
	if err := exec(insert, a.ID, uuid.New()); !isReference(err) {
		t.Errorf("a row of a list that does not exist: %v, want the reference refused", err)
	}
	// One statement naming a real list and a missing one stores neither.
	if err := exec(`INSERT INTO list_rows (tenant_id, list_id, row_no, line, fields, email, state)
		VALUES (?, ?, 98, 98, '{}', 'x@y.test', 'pending'), (?, ?, 99, 99, '{}', 'x@y.test', 'pending')`,
		a.ID, kept.ID, a.ID, uuid.New()); !isReference(err) {
		t.Errorf("rows of a real and a missing list: %v, want the reference refused", err)
	}
	if err := exec(insert, a.ID, kept.ID); err != nil {
		t.Errorf("a row of a list that exists: %v", err)
	}
	if err := exec(`UPDATE list_rows SET list_id = ? WHERE tenant_id = ? AND list_id = ?`, gone.ID, a.ID, kept.ID); !isReference(err) {
		t.Errorf("moving rows to another list: %v, want it refused", err)
	}

	if err := e.store.Delete(ctx, a.ID, gone.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM list_rows WHERE list_id = ?`, gone.ID); n != 0 {
		t.Errorf("the deleted list left %d rows", n)
	}
	if n := e.count(t, `SELECT count(*) FROM list_rows WHERE list_id = ?`, kept.ID); n != 3 {
		t.Errorf("the other list has %d rows, want its 2 and the one added", n)
	}
}
