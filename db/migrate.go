package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/uptrace/bun/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrateLockKey is the Postgres advisory lock every `mailvet migrate` takes,
// so that two release steps running at once apply migrations one after the
// other. bun's own lock table only makes the loser fail, it does not wait.
const migrateLockKey int64 = 0x6d61696c76657431 // "mailvet1"

// MigrationsFS is the embedded SQL migrations, exposed so the test helper
// can fingerprint the schema it builds templates from.
func MigrationsFS() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern above guarantees the directory
	}
	return sub
}

func (d *DB) bunMigrator() (*migrate.Migrator, *migrate.Migrations, error) {
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(MigrationsFS()); err != nil {
		return nil, nil, fmt.Errorf("discover migrations: %w", err)
	}
	return migrate.NewMigrator(d.bun, migrations, migrate.WithMarkAppliedOnSuccess(true)), migrations, nil
}

func (d *DB) riverMigrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	return rivermigrate.New(riverdatabasesql.New(d.SQL), nil)
}

// MigrateResult says what a Migrate call applied.
type MigrateResult struct {
	Applied      []string
	RiverApplied []int
}

// Migrate applies River's migrations and then ours, holding an advisory lock
// so that concurrent callers queue instead of racing.
func (d *DB) Migrate(ctx context.Context) (MigrateResult, error) {
	var res MigrateResult
	conn, err := d.Pool.Acquire(ctx)
	if err != nil {
		return res, fmt.Errorf("acquire connection for migration lock: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return res, fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		// A fresh context: the unlock must happen even if ctx was cancelled.
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey)
	}()

	rm, err := d.riverMigrator()
	if err != nil {
		return res, err
	}
	rres, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return res, fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range rres.Versions {
		res.RiverApplied = append(res.RiverApplied, v.Version)
	}

	bm, _, err := d.bunMigrator()
	if err != nil {
		return res, err
	}
	if err := bm.Init(ctx); err != nil {
		return res, fmt.Errorf("init migration tables: %w", err)
	}
	group, err := bm.Migrate(ctx)
	if err != nil {
		return res, fmt.Errorf("apply migrations: %w", err)
	}
	for _, m := range group.Migrations {
		res.Applied = append(res.Applied, m.String())
	}
	return res, nil
}

// PendingMigrations counts migrations, ours and River's, not yet applied.
func (d *DB) PendingMigrations(ctx context.Context) (int, error) {
	bm, all, err := d.bunMigrator()
	if err != nil {
		return 0, err
	}
	var applied bool
	if err := d.Pool.QueryRow(ctx, "SELECT to_regclass('bun_migrations') IS NOT NULL").Scan(&applied); err != nil {
		return 0, err
	}
	pending := 0
	if applied {
		ms, err := bm.MigrationsWithStatus(ctx)
		if err != nil {
			return 0, fmt.Errorf("read migration status: %w", err)
		}
		pending = len(ms.Unapplied())
	} else {
		pending = len(all.Sorted())
	}
	rm, err := d.riverMigrator()
	if err != nil {
		return 0, err
	}
	existing, err := rm.ExistingVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("read river migration status: %w", err)
	}
	pending += len(rm.AllVersions()) - len(existing)
	return pending, nil
}

// SchemaFingerprint identifies the schema the migrations produce, so test
// templates are rebuilt whenever a migration changes.
func SchemaFingerprint() (string, error) {
	h := fnv.New64a()
	err := fs.WalkDir(MigrationsFS(), ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := fs.ReadFile(MigrationsFS(), path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%s\x00", path, b)
		return nil
	})
	if err != nil {
		return "", err
	}
	rm, err := rivermigrate.New(riverdatabasesql.New(nil), nil)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "river:%d", len(rm.AllVersions()))
	return fmt.Sprintf("%016x", h.Sum64()), nil
}

// GrantTo makes role the one the service runs as: it creates it (NOLOGIN:
// a login SETs ROLE to it) when missing and grants it the rows of every
// table and sequence, and nothing else: it owns no table, so it can neither
// alter a policy nor turn row-level security off. Run after Migrate, by the
// tables' owner.
func (d *DB) GrantTo(ctx context.Context, role string) error {
	r := pgx.Identifier{role}.Sanitize()
	var exists bool
	if err := d.Pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		// Two test binaries may race to create it; the loser finds it made.
		if _, err := d.Pool.Exec(ctx, "CREATE ROLE "+r+" NOLOGIN NOSUPERUSER NOBYPASSRLS"); err != nil && !isDuplicateRole(err) {
			return fmt.Errorf("create role %s: %w", role, err)
		}
	}
	if _, err := d.Pool.Exec(ctx, "GRANT "+r+" TO current_user"); err != nil && !isGrantNoop(err) {
		return fmt.Errorf("let the login SET ROLE %s: %w", role, err)
	}
	for _, stmt := range []string{
		"GRANT USAGE ON SCHEMA public TO " + r,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + r,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + r,
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO " + r,
	} {
		if _, err := d.Pool.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

func isDuplicateRole(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "23505")
}

// isGrantNoop: a superuser login needs no membership, and granting one
// that exists only warns; other refusals are real errors.
func isGrantNoop(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "0LP01"
}
