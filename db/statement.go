package db

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// QueryRow runs one statement in scope and returns its one row, in a
// single round trip, with no BEGIN or COMMIT: one statement is atomic by
// itself. It is for the statements every API request makes (the key
// look-up, the cache hit); anything that needs two statements to agree
// uses Tx. Arguments are bind parameters ($1…).
//
// On the system path the statement goes to a system connection as it is,
// and a Platform one to a tenant-pool connection with no tenant set.
// For a tenant, it goes in a pgx batch behind set_config(…, true): the
// extended protocol runs everything up to its Sync as one implicit
// transaction, so the setting holds for the statement and ends with it.
// database/sql cannot send such a batch, which is why this speaks pgx.
func (d *DB) QueryRow(ctx context.Context, s Scope, query string, args ...any) pgx.Row {
	switch {
	case s.system != "":
		return d.sysPGX.QueryRow(ctx, query, args...)
	case s.platform:
		return d.Pool.QueryRow(ctx, query, args...)
	case s.tenant == uuid.Nil:
		return errRow{ErrNoTenant}
	}
	br, err := d.tenantBatch(ctx, s, query, args)
	if err != nil {
		return errRow{err}
	}
	return batchRow{br}
}

// Exec runs one statement in scope that returns no row, the way QueryRow
// does, and says how many rows it touched.
func (d *DB) Exec(ctx context.Context, s Scope, query string, args ...any) (int64, error) {
	switch {
	case s.system != "":
		tag, err := d.sysPGX.Exec(ctx, query, args...)
		return tag.RowsAffected(), err
	case s.platform:
		tag, err := d.Pool.Exec(ctx, query, args...)
		return tag.RowsAffected(), err
	case s.tenant == uuid.Nil:
		return 0, ErrNoTenant
	}
	br, err := d.tenantBatch(ctx, s, query, args)
	if err != nil {
		return 0, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag.RowsAffected(), err
}

// tenantBatch sends the tenant's set_config and query in one batch and
// reads the set_config's result; the caller reads the query's and closes.
func (d *DB) tenantBatch(ctx context.Context, s Scope, query string, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('app.tenant_id', $1, true)`, s.tenant.String())
	b.Queue(query, args...)
	br := d.Pool.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		_ = br.Close()
		return nil, err
	}
	return br, nil
}

// batchRow reads the statement's row and then ends the batch, whose Sync
// commits the implicit transaction: an error there is the statement's.
type batchRow struct{ br pgx.BatchResults }

func (r batchRow) Scan(dest ...any) error {
	err := r.br.QueryRow().Scan(dest...)
	cerr := r.br.Close()
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	if cerr != nil {
		return cerr
	}
	return err
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
