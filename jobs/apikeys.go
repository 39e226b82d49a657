package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"mailvet/tenants"
)

// SweepAPIKeysArgs is the periodic sweep of API keys: automatic rotation
// and the expiry notices.
type SweepAPIKeysArgs struct{}

// Kind names the job.
func (SweepAPIKeysArgs) Kind() string { return "tenants.sweep_api_keys" }

// SweepAPIKeysWorker runs the sweep. Two of them at once are safe: the
// domain claims each key before acting on it.
type SweepAPIKeysWorker struct {
	river.WorkerDefaults[SweepAPIKeysArgs]
	Tenants *tenants.Store
}

// Work sweeps and records the counts on the job.
func (w *SweepAPIKeysWorker) Work(ctx context.Context, job *river.Job[SweepAPIKeysArgs]) error {
	r, err := w.Tenants.SweepAPIKeys(ctx)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, r)
}
