package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// tenantBegin carries a tenant transaction's tenant from Tx to the driver.
type tenantBegin struct{}

// openSQL is database/sql over pool, for both bun handles. Its BEGIN also
// sets the tenant when the transaction has one, in one round trip: a tenant transaction starts with
// "BEGIN; SET LOCAL app.tenant_id = '…'" sent as one simple query. Every API request runs one or two tenant transactions, so the
// round trip saved is a round trip of every request. pgx's own
// database/sql driver has no hook for this (its BeginTx takes only the
// isolation and access mode), hence this thin wrapper of its connector,
// which also sends bun's statements over the simple protocol
// (QueryContext).
func openSQL(pool *pgxpool.Pool) *sql.DB {
	db := sql.OpenDB(tenantConnector{stdlib.GetPoolConnector(pool)})
	db.SetMaxIdleConns(0) // the pgx pool keeps the idle connections
	return db
}

type tenantConnector struct{ driver.Connector }

func (c tenantConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	conn, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("db: unexpected driver connection %T", dc)
	}
	return tenantConn{conn}, nil
}

// tenantConn is pgx's database/sql connection with a BeginTx that sets
// the tenant when the context carries one. (Embedded under another name so
// that the field does not hide its Conn method, which COPY uses.)
type tenantConn struct{ *stdConn }

type stdConn = stdlib.Conn

func (c tenantConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tenant, ok := ctx.Value(tenantBegin{}).(string)
	if !ok {
		return c.stdConn.BeginTx(ctx, opts)
	}
	begin := "BEGIN"
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadCommitted:
		begin += " ISOLATION LEVEL READ COMMITTED"
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		begin += " ISOLATION LEVEL REPEATABLE READ"
	case sql.LevelSerializable:
		begin += " ISOLATION LEVEL SERIALIZABLE"
	default:
		return nil, fmt.Errorf("db: unsupported isolation %v", opts.Isolation)
	}
	if opts.ReadOnly {
		begin += " READ ONLY"
	}
	// tenant is a uuid.UUID's String(): hex digits and dashes only, safe
	// to write into the statement (a simple query takes no parameters).
	// SET LOCAL rather than SELECT set_config(…, true): the same setting
	// for the same span, but a utility statement, which PostgreSQL neither
	// plans nor returns rows for.
	begin += "; SET LOCAL app.tenant_id = '" + tenant + "'"
	tx, err := c.Conn().BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return nil, fmt.Errorf("begin tenant transaction: %w", err)
	}
	return pgxTx{ctx: ctx, tx: tx}, nil
}

type pgxTx struct {
	ctx context.Context
	tx  pgx.Tx
}

func (t pgxTx) Commit() error   { return t.tx.Commit(t.ctx) }
func (t pgxTx) Rollback() error { return t.tx.Rollback(t.ctx) }

// QueryContext sends a statement without arguments over the simple
// protocol. Such a statement is bun's, with its values formatted into its
// text, so nearly every one is new: pgx would prepare each (a round trip
// more) and keep it in the connection's statement cache, and a list
// batch's statement carries ten thousand verdicts in its text, so the
// cache held megabytes per connection (a million-row list grew the
// process past 900 MB). Statements with arguments ($1…, the bind-parameter
// idiom) are prepared once and cached as before.
func (c tenantConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 {
		args = []driver.NamedValue{{Ordinal: 1, Value: pgx.QueryExecModeSimpleProtocol}}
	}
	return c.stdConn.QueryContext(ctx, query, args)
}
