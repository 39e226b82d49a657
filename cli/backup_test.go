package cli_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"mailvet/backup/s3test"
	"mailvet/db"
	"mailvet/db/dbtest"
)

// seeded is a database with a workspace, its owner, an API key and their
// audit trail, and the counts of its rows per table.
func seeded(t *testing.T) (url string, counts map[string]int64) {
	t.Helper()
	d, url := dbtest.NewWithURL(t)
	workspace(t, d, "Acme Backups")
	env := map[string]string{"DATABASE_URL": url, "MAILVET_DB_ROLE": dbtest.Role, "MAILVET_LOG_LEVEL": "error"}
	if code, _, errOut := runCLI(t, env, "admin", "create-key", "--tenant", "acme-backups", "--mode", "live"); code != 0 {
		t.Fatalf("create-key: %d %s", code, errOut)
	}
	counts = rowCounts(t, url)
	for _, table := range []string{"users", "tenants", "memberships", "api_keys", "audit_events"} {
		if counts[table] == 0 {
			t.Fatalf("the seed wrote no rows to %s: %v", table, counts)
		}
	}
	return url, counts
}

// rowCounts counts the rows of every table, as the database's owner (whom
// row-level security does not hide rows from: FORCE binds a non-superuser
// owner, and the test login is the superuser).
func rowCounts(t *testing.T, url string) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT schemaname || '.' || tablename FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts[strings.TrimPrefix(table, "public.")] = n
	}
	return counts
}

func requireSameCounts(t *testing.T, want, got map[string]int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("restored %d tables, the source has %d", len(got), len(want))
	}
	for table, n := range want {
		if got[table] != n {
			t.Errorf("%s: %d rows restored, the source has %d", table, got[table], n)
		}
	}
}

// requireServiceWorks checks the restored database serves as the source
// did: the service role reads the workspace through row-level security.
func requireServiceWorks(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, url, db.Options{MaxConns: 2, Role: dbtest.Role})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.CheckGuard(ctx); err != nil {
		t.Fatalf("the restored database's guard: %v", err)
	}
	svc := services(t, d)
	if _, err := svc.Tenants.TenantBySlug(ctx, "acme-backups"); err != nil {
		t.Fatalf("the service role cannot read the restored workspace: %v", err)
	}
}

func TestBackupToAFileRestoresEveryRow(t *testing.T) {
	src, want := seeded(t)
	file := filepath.Join(t.TempDir(), "mailvet.dump")
	code, out, errOut := runCLI(t, map[string]string{"DATABASE_URL": src}, "backup", "--to", file)
	if code != 0 || !strings.Contains(out, "backup written: "+file) {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}

	dst := dbtest.NewEmptyURL(t)
	env := map[string]string{"MAILVET_DB_ROLE": dbtest.Role}
	if code, out, errOut := runCLI(t, env, "restore", "--from", file, "--to", dst); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	requireSameCounts(t, want, rowCounts(t, dst))
	requireServiceWorks(t, dst)

	// Again into the same database: refused, saying why and what to do.
	code, _, errOut = runCLI(t, env, "restore", "--from", file, "--to", dst)
	if code != 1 || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "--clean") {
		t.Fatalf("a restore over tables: exit %d, stderr %q", code, errOut)
	}
	if code, out, errOut := runCLI(t, env, "restore", "--clean", "--from", file, "--to", dst); code != 0 {
		t.Fatalf("restore --clean: exit %d\n%s%s", code, out, errOut)
	}
	requireSameCounts(t, want, rowCounts(t, dst))

	// A dump cut short restores nothing: not even --clean's drops happen.
	whole, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.dump")
	if err := os.WriteFile(cut, whole[:len(whole)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, env, "restore", "--clean", "--from", cut, "--to", dst)
	if code != 1 || !strings.Contains(errOut, "pg_restore failed") {
		t.Fatalf("restore of a truncated dump: exit %d, stderr %q", code, errOut)
	}
	requireSameCounts(t, want, rowCounts(t, dst))
}

func TestBackupToS3RestoresEveryRow(t *testing.T) {
	s3 := s3test.Start(t, "mailvet-backups")
	src, want := seeded(t)
	env := map[string]string{
		"DATABASE_URL":                 src,
		"MAILVET_DB_ROLE":              dbtest.Role,
		"MAILVET_BACKUP_S3_ENDPOINT":   s3.Endpoint,
		"MAILVET_BACKUP_S3_PATH_STYLE": "true",
		"AWS_ACCESS_KEY_ID":            "backup-test",
		"AWS_SECRET_ACCESS_KEY":        "backup-test-secret",
	}
	// A prefix: the dump gets a timestamped name of its own.
	code, out, errOut := runCLI(t, env, "backup", "--to", "s3://mailvet-backups/nightly/")
	written := regexp.MustCompile(`backup written: (s3://mailvet-backups/nightly/mailvet-\d{8}T\d{6}Z\.dump) \(\d+ bytes\)`).FindStringSubmatch(out)
	if code != 0 || written == nil {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errOut)
	}
	if keys := s3.Keys(t); len(keys) != 1 || "s3://mailvet-backups/"+keys[0] != written[1] {
		t.Fatalf("the bucket holds %v, want the one dump %s", keys, written[1])
	}

	dst := dbtest.NewEmptyURL(t)
	if code, out, errOut := runCLI(t, env, "restore", "--from", written[1], "--to", dst); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	requireSameCounts(t, want, rowCounts(t, dst))
	requireServiceWorks(t, dst)

	code, _, errOut = runCLI(t, env, "restore", "--from", "s3://mailvet-backups/nightly/none.dump", "--to", dbtest.NewEmptyURL(t))
	if code != 1 || !strings.Contains(errOut, "no such object") {
		t.Errorf("restore of a missing object: exit %d, stderr %q", code, errOut)
	}
}

// A dump that fails leaves nothing that looks like a backup, and says why.
func TestFailedBackupLeavesNothing(t *testing.T) {
	s3 := s3test.Start(t, "mailvet-backups")
	dir := t.TempDir()
	env := map[string]string{
		"DATABASE_URL":                 "postgres://postgres@127.0.0.1:" + freePort(t) + "/mailvet?sslmode=disable",
		"MAILVET_BACKUP_S3_ENDPOINT":   s3.Endpoint,
		"MAILVET_BACKUP_S3_PATH_STYLE": "true",
		"AWS_ACCESS_KEY_ID":            "backup-test",
		"AWS_SECRET_ACCESS_KEY":        "backup-test-secret",
	}
	for _, to := range []string{filepath.Join(dir, "mailvet.dump"), "s3://mailvet-backups/mailvet.dump"} {
		code, out, errOut := runCLI(t, env, "backup", "--to", to)
		if code != 1 || !strings.Contains(errOut, "pg_dump failed") || !strings.Contains(errOut, "connection") {
			t.Errorf("backup --to %s of an unreachable database: exit %d, stdout %q, stderr %q", to, code, out, errOut)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("a failed backup left %v", files)
	}
	if keys := s3.Keys(t); len(keys) != 0 {
		t.Errorf("a failed backup left objects %v", keys)
	}

	for _, bad := range [][]string{
		{"backup"}, // no --to, no MAILVET_BACKUP_TO
		{"backup", "--to", "s3://bucket-only"},
		{"restore", "--from", "x.dump"},
		{"restore", "--to", "postgres://x@127.0.0.1/y"},
	} {
		if code, _, _ := runCLI(t, env, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", bad, code)
		}
	}
}

// The least-privileged backup login the README suggests (BYPASSRLS and
// pg_read_all_data, owning nothing) dumps every row; a login that row-level
// security binds is refused by pg_dump, and the message says what to use.
func TestBackupLoginMustBypassTheGuard(t *testing.T) {
	src, want := seeded(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for role, attrs := range map[string]string{"mailvet_test_backup": "BYPASSRLS", "mailvet_test_reader": "NOBYPASSRLS"} {
		// Roles are the server's, shared by concurrent test binaries.
		_, err := conn.Exec(ctx, `DO $$ BEGIN CREATE ROLE `+role+` LOGIN NOSUPERUSER `+attrs+`;
			EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`)
		if err == nil {
			_, err = conn.Exec(ctx, "GRANT pg_read_all_data TO "+role)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	as := func(role string) string {
		u, err := url.Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.User(role) // trust auth, as for the tests' own login
		return u.String()
	}
	file := filepath.Join(t.TempDir(), "mailvet.dump")

	env := map[string]string{"DATABASE_URL": src, "MAILVET_BACKUP_DATABASE_URL": as("mailvet_test_reader")}
	code, _, errOut := runCLI(t, env, "backup", "--to", file)
	if code != 1 || !strings.Contains(errOut, "row-level security") || !strings.Contains(errOut, "BYPASSRLS") {
		t.Fatalf("a backup as a login bound by row-level security: exit %d, stderr %q", code, errOut)
	}

	env["MAILVET_BACKUP_DATABASE_URL"] = as("mailvet_test_backup")
	if code, out, errOut := runCLI(t, env, "backup", "--to", file); code != 0 {
		t.Fatalf("backup as the backup login: exit %d\n%s%s", code, out, errOut)
	}
	dst := dbtest.NewEmptyURL(t)
	if code, out, errOut := runCLI(t, map[string]string{"MAILVET_DB_ROLE": dbtest.Role}, "restore", "--from", file, "--to", dst); code != 0 {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	requireSameCounts(t, want, rowCounts(t, dst))
}
