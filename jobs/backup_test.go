package jobs_test

import (
	"context"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"mailvet/backup"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
)

// The scheduled backup runs on a real River worker and writes a dump
// pg_restore reads; while another backup holds the lock, a run dumps
// nothing.
func TestScheduledBackupWritesADump(t *testing.T) {
	d, url := dbtest.NewWithURL(t)
	ctx := context.Background()
	ws := newJobsWorkspace(t, d)
	dir := t.TempDir()
	to, err := backup.ParseTarget(dir + "/")
	if err != nil {
		t.Fatal(err)
	}

	// Another backup is running: hold its lock.
	held, err := d.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	if _, err := held.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(0x6d766261636b7570)); err != nil {
		t.Fatal(err)
	}

	worker, err := jobs.NewClient(d, jobs.Deps{Tenants: ws.store, Mailer: discardSender{}, Backup: &jobs.ScheduledBackup{
		DatabaseURL: url, To: to, Schedule: river.PeriodicInterval(200 * time.Millisecond), Lock: d,
	}}, jobs.Options{Work: true, Logger: ws.log, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })

	waitFor(t, d, "a backup run that found the lock taken", func(tx db.Tx) bool {
		var n int
		err := tx.NewRaw(`SELECT count(*) FROM river_job WHERE kind = 'maintenance.backup' AND state = 'completed'
			AND metadata->>'output' LIKE '%another backup is running%'`).Scan(ctx, &n)
		return err == nil && n > 0
	})
	if dumps := dumpsIn(t, dir); len(dumps) != 0 {
		t.Fatalf("a run dumped while another held the lock: %v", dumps)
	}
	if _, err := held.Exec(ctx, "SELECT pg_advisory_unlock($1)", int64(0x6d766261636b7570)); err != nil {
		t.Fatal(err)
	}

	waitFor(t, d, "a dump in "+dir, func(db.Tx) bool { return len(dumpsIn(t, dir)) > 0 })
	out, err := osexec.Command("pg_restore", "--list", dumpsIn(t, dir)[0]).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "TABLE DATA public tenants") {
		t.Fatalf("pg_restore --list: %v\n%.2000s", err, out)
	}
}

// dumpsIn lists the finished dumps in dir (not a dump being written).
func dumpsIn(t *testing.T, dir string) []string {
	t.Helper()
	dumps, err := filepath.Glob(filepath.Join(dir, "mailvet-*.dump"))
	if err != nil {
		t.Fatal(err)
	}
	return dumps
}
