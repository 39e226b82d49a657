package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"mailvet/tenants"
)

// PurgeExpiredArgs is the periodic clean-up of expired sessions, invites
// and emailed links.
type PurgeExpiredArgs struct{}

// Kind names the job.
func (PurgeExpiredArgs) Kind() string { return "maintenance.purge_expired" }

// PurgeExpiredWorker runs the purge.
type PurgeExpiredWorker struct {
	river.WorkerDefaults[PurgeExpiredArgs]
	Tenants *tenants.Store
}

// Work deletes what has expired and records the counts on the job.
func (w *PurgeExpiredWorker) Work(ctx context.Context, job *river.Job[PurgeExpiredArgs]) error {
	res, err := w.Tenants.PurgeExpired(ctx)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, res)
}
