package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"mailvet/backup"
	"mailvet/db"
)

// ScheduledBackup is the backup the leader runs on a schedule
// (MAILVET_BACKUP_TO and MAILVET_BACKUP_SCHEDULE).
type ScheduledBackup struct {
	Runner      backup.Runner
	DatabaseURL string // the login pg_dump dumps as
	To          backup.Target
	Schedule    river.PeriodicSchedule
	// Lock is where the lock is taken that keeps two dumps from
	// overlapping (the service's database).
	Lock *db.DB
}

// BackupArgs is one scheduled backup.
type BackupArgs struct{}

// Kind names the job.
func (BackupArgs) Kind() string { return "maintenance.backup" }

// InsertOpts: a failed dump (the store unreachable, say) is tried twice
// more, minutes apart at most; the next scheduled one follows anyway.
func (BackupArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 3} }

// BackupWorker takes the dump.
type BackupWorker struct {
	river.WorkerDefaults[BackupArgs]
	Backup *ScheduledBackup
}

// backupLockKey is the advisory lock a scheduled backup holds while it
// dumps ("mvbackup").
const backupLockKey int64 = 0x6d766261636b7570

// Timeout: a dump takes as long as the database is large.
func (w *BackupWorker) Timeout(*river.Job[BackupArgs]) time.Duration { return 12 * time.Hour }

// Work dumps the database unless another dump is running. River's rescuer
// takes a job running longer than RescueStuckJobsAfter (set for list
// batches, minutes) for dead and runs it again while the first still
// dumps; the lock makes that second run a no-op instead of a second
// concurrent pg_dump.
func (w *BackupWorker) Work(ctx context.Context, job *river.Job[BackupArgs]) error {
	conn, err := w.Backup.Lock.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	var locked bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", backupLockKey).Scan(&locked); err != nil {
		return err
	}
	if !locked {
		return river.RecordOutput(ctx, map[string]string{"skipped": "another backup is running"})
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", backupLockKey) //nolint:errcheck
	res, err := w.Backup.Runner.Backup(ctx, w.Backup.DatabaseURL, w.Backup.To)
	if err != nil {
		return fmt.Errorf("scheduled backup to %s: %w", w.Backup.To, err)
	}
	return river.RecordOutput(ctx, map[string]any{"target": res.Target.String(), "bytes": res.Bytes})
}
