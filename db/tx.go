package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// Scope says whose rows a transaction works on: one tenant's (Tenant) or,
// through the named system path, every tenant's (System).
type Scope struct {
	tenant uuid.UUID
	system string // why the work is cross-tenant; empty for a tenant scope
	opts   *sql.TxOptions
}

// Tenant scopes a transaction to one tenant: row-level security lets it
// see and write that tenant's rows and no other's.
func Tenant(id uuid.UUID) Scope { return Scope{tenant: id} }

// System is the one path to cross-tenant work: look-ups by token, key hash
// or Stripe id (where the tenant is what is being found), sweeps over
// every tenant, and the platform admin console. why names the use, so
// that every one of them can be found with `grep -rn 'db.System('`.
func System(why string) Scope { return Scope{system: why} }

// Snapshot makes the transaction read-only at REPEATABLE READ: every
// statement in it sees the same moment (reports that read several tables).
func (s Scope) Snapshot() Scope {
	s.opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	return s
}

// Tx is what a transaction's callee gets: the bun transaction (its Tx
// field is the *sql.Tx River inserts jobs with) and COPY on the same
// connection.
type Tx struct {
	bun.Tx
	conn bun.Conn
}

// ErrNoTenant says a tenant-scoped transaction was asked for without a
// tenant: it would see nothing, so it is refused before it starts.
var ErrNoTenant = errors.New("db: tenant scope without a tenant")

// Tx runs fn in a transaction in scope, committing when fn returns nil and
// rolling back otherwise. It is the one way the product opens a
// transaction; single statements go through it too, so that each of them
// runs with its tenant set.
func (d *DB) Tx(ctx context.Context, s Scope, fn func(ctx context.Context, tx Tx) error) error {
	pool := d.bun
	if s.system != "" {
		pool = d.sys
	} else if s.tenant == uuid.Nil {
		return ErrNoTenant
	}
	// A pinned connection rather than bun's RunInTx: COPY needs the pgx
	// connection under the transaction, which only a sql.Conn can reach.
	conn, err := pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	beginCtx := ctx
	if s.system == "" {
		// The tenant pool's driver sets app.tenant_id with BEGIN (begin.go),
		// local to the transaction (is_local=true): a pooled connection
		// never carries one tenant into another's work.
		beginCtx = context.WithValue(ctx, tenantBegin{}, s.tenant.String())
	}
	btx, err := conn.BeginTx(beginCtx, s.opts)
	if err != nil {
		return err
	}
	if err := fn(ctx, Tx{Tx: btx, conn: conn}); err != nil {
		_ = btx.Rollback()
		return err
	}
	return btx.Commit()
}

// CopyFrom bulk-loads rows with COPY inside the transaction and returns
// how many it wrote. COPY is the one statement database/sql cannot send,
// so it goes to the pgx connection the transaction runs on.
//
// PostgreSQL refuses COPY FROM into a table under row-level security, so
// the rows are copied into a temporary table of the same columns and moved
// with one INSERT … SELECT, which the table's policy checks row by row.
func (t Tx) CopyFrom(ctx context.Context, table string, columns []string, rows pgx.CopyFromSource) (int64, error) {
	target := pgx.Identifier{table}.Sanitize()
	stage := pgx.Identifier{"copy_stage_" + table}.Sanitize()
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	list := strings.Join(cols, ", ")
	if _, err := t.Tx.Tx.ExecContext(ctx, "CREATE TEMP TABLE "+stage+" ON COMMIT DROP AS SELECT "+list+" FROM "+target+" WITH NO DATA"); err != nil {
		return 0, fmt.Errorf("stage COPY into %s: %w", table, err)
	}
	err := t.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(interface{ Conn() *pgx.Conn })
		if !ok {
			return fmt.Errorf("db: COPY needs a pgx connection, have %T", driverConn)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{"copy_stage_" + table}, columns, rows)
		return err
	})
	if err != nil {
		return 0, err
	}
	res, err := t.Tx.Tx.ExecContext(ctx, "INSERT INTO "+target+" ("+list+") SELECT "+list+" FROM "+stage)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	// Dropped now rather than at commit, so one transaction can copy twice.
	if _, err := t.Tx.Tx.ExecContext(ctx, "DROP TABLE "+stage); err != nil {
		return n, err
	}
	return n, nil
}
