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

// Scope says whose rows a transaction works on: one tenant's (Tenant),
// no tenant's (Platform: only the tables that belong to no tenant) or,
// through the named system path, every tenant's (System).
type Scope struct {
	tenant   uuid.UUID
	platform bool
	system   string // why the work is cross-tenant; empty otherwise
	opts     *sql.TxOptions
}

// Tenant scopes a transaction to one tenant: row-level security lets it
// see and write that tenant's rows and no other's.
func Tenant(id uuid.UUID) Scope { return Scope{tenant: id} }

// Platform scopes a transaction to the tables that belong to no tenant
// (users, their emailed tokens, plans, Stripe event ids, River's): it
// runs on the tenant pool with no tenant set, so row-level security shows
// it no tenant's row at all.
func Platform() Scope { return Scope{platform: true} }

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
// rolling back otherwise (a panic in fn rolls back and goes on up). It is
// the one way the product opens a transaction; a lone statement may use
// QueryRow or Exec instead, which carry the scope the same way.
func (d *DB) Tx(ctx context.Context, s Scope, fn func(ctx context.Context, tx Tx) error) error {
	pool := d.bun
	if s.system != "" {
		pool = d.sys
	} else if s.tenant == uuid.Nil && !s.platform {
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
	if s.tenant != uuid.Nil {
		// The tenant pool's driver sets app.tenant_id with BEGIN (begin.go),
		// with SET LOCAL: the setting ends with the transaction, so a pooled
		// connection never carries one tenant into another's work.
		beginCtx = context.WithValue(ctx, tenantBegin{}, s.tenant.String())
	}
	btx, err := conn.BeginTx(beginCtx, s.opts)
	if err != nil {
		return err
	}
	// Deferred before conn.Close runs: a connection whose transaction is
	// still open would wait for it forever.
	defer func() {
		if p := recover(); p != nil {
			_ = btx.Rollback()
			panic(p)
		}
	}()
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
