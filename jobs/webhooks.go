package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"mailvet/webhooks"
)

// DeliverWorker makes one attempt of a webhook delivery through the
// webhooks domain and turns its outcome into River's terms: a failure is
// retried on the delivery schedule (NextRetry), a receiver's Retry-After
// or a busy endpoint is a snooze (which counts no attempt), and the last
// failure is a dead letter the domain keeps, so the job completes.
type DeliverWorker struct {
	river.WorkerDefaults[webhooks.DeliverArgs]
	Deliverer *webhooks.Deliverer
	Schedule  *webhooks.Service
}

// NextRetry waits as the schedule says after the attempt that failed.
func (w *DeliverWorker) NextRetry(job *river.Job[webhooks.DeliverArgs]) time.Time {
	return time.Now().Add(w.Schedule.RetryDelay(job.Attempt))
}

// Timeout covers the attempt's own 15 s and its writes.
func (w *DeliverWorker) Timeout(*river.Job[webhooks.DeliverArgs]) time.Duration {
	return 30 * time.Second
}

// Work makes the attempt.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[webhooks.DeliverArgs]) error {
	out, err := w.Deliverer.Deliver(ctx, job.Args, job.Attempt)
	switch {
	case err != nil:
		return err
	case out.Done:
		return nil
	case out.Wait > 0:
		return river.JobSnooze(out.Wait)
	}
	return out.Err
}
