package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"mailvet/audit"
)

// PurgeAuditArgs is the periodic deletion of audit events past retention.
// It runs apart from PurgeExpired: a first purge of a big old log may take
// a while, and expired sessions should not wait on it.
type PurgeAuditArgs struct{}

// Kind names the job.
func (PurgeAuditArgs) Kind() string { return "maintenance.purge_audit" }

// PurgeAuditWorker deletes old audit events, in batches (audit.Store.Purge).
type PurgeAuditWorker struct {
	river.WorkerDefaults[PurgeAuditArgs]
	Audit     *audit.Store
	Retention time.Duration
}

// Work purges and records how many events went.
func (w *PurgeAuditWorker) Work(ctx context.Context, job *river.Job[PurgeAuditArgs]) error {
	n, err := w.Audit.Purge(ctx, w.Retention)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, map[string]int64{"deleted": n})
}
