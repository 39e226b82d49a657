package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrNotEmpty is Restore's refusal of a database that already has tables.
var ErrNotEmpty = errors.New("the target database is not empty")

// Restore loads the dump at from into the database at databaseURL, all of
// it or nothing: pg_restore writes the dump as SQL, which psql runs in one
// transaction that is committed only once pg_restore has succeeded. The
// target must have no tables unless clean, which empties it first (drops
// every schema but PostgreSQL's own) in that same transaction. Ownership
// and grants are not restored: the restoring login owns everything, and
// the caller grants the service role (db.GrantTo) as `mailvet migrate` does.
func (r Runner) Restore(ctx context.Context, from Target, databaseURL string, clean bool) error {
	if from.IsPrefix() {
		return fmt.Errorf("%s names a directory or prefix: restore one dump", from)
	}
	prefix, err := emptyTarget(ctx, databaseURL, clean)
	if err != nil {
		return err
	}
	path := from.Path
	if from.IsS3() {
		// pg_restore reads a file, where it can seek to each table's data.
		f, err := os.CreateTemp("", "mailvet-restore-*.dump")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		err = r.S3.download(ctx, from, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		path = f.Name()
	} else if _, err := os.Stat(path); err != nil {
		return err
	}
	return r.pipeRestore(ctx, path, databaseURL, prefix)
}

// emptyTarget refuses a target with tables, or, when clean, returns the SQL
// that empties it.
func emptyTarget(ctx context.Context, databaseURL string, clean bool) (string, error) {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return "", fmt.Errorf("connect to the target database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var tables int
	var schemas []string
	err = conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
			AND n.nspname NOT LIKE 'pg\_toast%'),
		(SELECT coalesce(array_agg(nspname ORDER BY nspname), '{}') FROM pg_namespace
			WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_%')`).Scan(&tables, &schemas)
	if err != nil {
		return "", err
	}
	if !clean {
		if tables > 0 {
			return "", fmt.Errorf("%w: it has %d tables; restore into a freshly created database (createdb), or pass --clean to drop everything in it and restore in its place", ErrNotEmpty, tables)
		}
		return "", nil
	}
	var sql strings.Builder
	for _, s := range schemas {
		fmt.Fprintf(&sql, "DROP SCHEMA %s CASCADE;\n", pgx.Identifier{s}.Sanitize())
	}
	// A dump assumes the public schema every new database has.
	sql.WriteString("CREATE SCHEMA public;\n")
	return sql.String(), nil
}

// pipeRestore runs pg_restore --file=- into psql: BEGIN, prefix, the dump's
// SQL and, only when pg_restore has exited well, COMMIT. Any failure ends
// psql's input without COMMIT, and the server rolls the transaction back.
func (r Runner) pipeRestore(ctx context.Context, path, databaseURL, prefix string) error {
	restore, restoreErr, err := r.command(ctx, r.PgRestore, "pg_restore", "", "--no-owner", "--no-acl", "--file=-", path)
	if err != nil {
		return err
	}
	psql, psqlErr, err := r.command(ctx, r.Psql, "psql", databaseURL, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1")
	if err != nil {
		return err
	}
	psql.Env = append(psql.Env, "PGOPTIONS=-c client_min_messages=warning")
	out, err := restore.StdoutPipe()
	if err != nil {
		return err
	}
	in, err := psql.StdinPipe()
	if err != nil {
		return err
	}
	if err := psql.Start(); err != nil {
		return programFailed("psql", err, psqlErr)
	}
	if err := restore.Start(); err != nil {
		in.Close()
		_ = psql.Wait()
		return programFailed("pg_restore", err, restoreErr)
	}
	dump := &exitChecked{r: out, wait: restore.Wait}
	script := io.MultiReader(strings.NewReader("BEGIN;\n"+prefix), dump, strings.NewReader("\nCOMMIT;\n"))
	copied := make(chan struct{})
	go func() {
		_, _ = io.Copy(in, script)
		in.Close() // psql's end of input: committed only if COMMIT came
		close(copied)
	}()
	psqlExit := psql.Wait()
	_ = restore.Process.Kill() // psql stopped reading: pg_restore would block on its output
	<-copied
	if !dump.waited {
		dump.exitErr = restore.Wait()
	}
	switch {
	case dump.exitErr != nil && psqlExit == nil:
		return programFailed("pg_restore", dump.exitErr, restoreErr)
	case psqlExit != nil:
		return programFailed("psql (restoring the dump)", psqlExit, psqlErr)
	}
	return nil
}
