// Package db owns the connection to PostgreSQL: the pools, the one
// transaction helper every store goes through (which sets the tenant that
// row-level security checks), the named system path for cross-tenant work,
// and the schema migrations.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// DB is the one handle every store holds.
//
// It keeps two pools. The tenant pool's connections see no tenant row
// until a transaction sets app.tenant_id (Tx with Tenant). The system
// pool's connections carry app.system=on from the moment they connect, so
// the row-level security policies let them see every tenant: that pool is
// reached only through System, the one named cross-tenant path.
type DB struct {
	// Pool is the tenant pool in pgx form, for River (LISTEN/NOTIFY and its
	// own tables, which have no tenant) and for health checks.
	Pool *pgxpool.Pool
	// SQL is the tenant pool in database/sql form, for River's driver.
	SQL *sql.DB

	bun    *bun.DB
	sysSQL *sql.DB
	sys    *bun.DB
	sysPGX *pgxpool.Pool
	// observer measures every statement for ObserveQueries.
	observer *observer
}

// Options tune the pools. Zero values pick sensible defaults.
type Options struct {
	MaxConns int32
	// Role is the PostgreSQL role every connection switches to (SET ROLE)
	// when it connects, for a login that is a superuser or owns more than
	// the service should (dev and test). Empty: the login's own role.
	Role string
}

// Open connects to the database at url and checks that it answers.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	maxConns := opts.MaxConns
	if maxConns <= 0 {
		maxConns = 20
	}
	// Cross-tenant work (key and token look-ups, sweeps, the admin
	// console) is a small part of the load: a quarter of the connections.
	sysConns := max(maxConns/4, 2)
	obs := &observer{}
	pool, err := openPool(ctx, url, max(maxConns-sysConns, 2), opts.Role, "", obs)
	if err != nil {
		return nil, err
	}
	sysPool, err := openPool(ctx, url, sysConns, opts.Role, "SET app.system = 'on'", obs)
	if err != nil {
		pool.Close()
		return nil, err
	}
	sqlDB := openSQL(pool)
	sysSQL := openSQL(sysPool) // no tenant: a plain BEGIN
	d := &DB{
		Pool: pool, SQL: sqlDB, bun: bun.NewDB(sqlDB, pgdialect.New()),
		sysPGX: sysPool, sysSQL: sysSQL, sys: bun.NewDB(sysSQL, pgdialect.New()), observer: obs,
	}
	d.bun.AddQueryHook(obs)
	d.sys.AddQueryHook(obs)
	return d, nil
}

func openPool(ctx context.Context, url string, maxConns int32, role, setup string, obs *observer) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.Tracer = obs
	// No JIT: it compiles a plan anew on every execution, and our
	// statements are short ones over an index. A list batch's cache lookup
	// (10,000 keys, estimated above jit_above_cost) spent two thirds of its
	// time compiling: 4.5 to 34 s of a 1,000,000-row list
	// (pg_stat_statements' jit_* columns), and LLVM was 10 % of the
	// machine's CPU with two worker processes (perf). A URL that names jit
	// keeps its own choice.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if role != "" {
			if _, err := c.Exec(ctx, "SET ROLE "+pgx.Identifier{role}.Sanitize()); err != nil {
				return fmt.Errorf("SET ROLE %s: %w", role, err)
			}
		}
		if setup != "" {
			_, err := c.Exec(ctx, setup)
			return err
		}
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		// The URL's password stays out of the message: user, host and name
		// are enough to see which server was meant.
		return nil, fmt.Errorf("connect to database %s@%s/%s: %w",
			cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// Close releases every connection.
func (d *DB) Close() {
	_ = d.bun.Close()
	_ = d.sys.Close()
	d.Pool.Close()
	d.sysPGX.Close()
}

// Ping checks that the database answers a query.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.Pool.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// ErrGuardBypassed says the service's role skips row-level security.
var ErrGuardBypassed = errors.New("database role bypasses row-level security")

// CheckGuard refuses a role that is a superuser or has BYPASSRLS: for such
// a role PostgreSQL skips every policy, and the tenant guard would be gone.
func (d *DB) CheckGuard(ctx context.Context) error {
	var name string
	var bypass bool
	err := d.Pool.QueryRow(ctx,
		`SELECT rolname, rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&name, &bypass)
	if err != nil {
		return fmt.Errorf("read the database role: %w", err)
	}
	if bypass {
		return fmt.Errorf("%w: %s is a superuser or has BYPASSRLS; connect as (or set MAILVET_DB_ROLE to) a role with neither", ErrGuardBypassed, name)
	}
	return nil
}
