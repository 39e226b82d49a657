package jobs

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"mailvet/lists"
)

// VerifyBatchWorker runs one list batch through the lists domain, which
// completes the job in the same transaction as the batch's results.
type VerifyBatchWorker struct {
	river.WorkerDefaults[lists.VerifyBatchArgs]
	Lists   *lists.Processor
	timeout time.Duration
}

// Timeout bounds one batch run.
func (w *VerifyBatchWorker) Timeout(*river.Job[lists.VerifyBatchArgs]) time.Duration {
	return w.timeout
}

// Work processes the batch. Deferred rows (greylisting) snooze the job
// until they are due; a run cut short by its time limit snoozes it for no
// time at all, to go on from what it wrote. Snoozes count no attempt.
func (w *VerifyBatchWorker) Work(ctx context.Context, job *river.Job[lists.VerifyBatchArgs]) error {
	next, err := w.Lists.Process(ctx, job.Args, func(ctx context.Context, tx *sql.Tx) error {
		_, err := river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job)
		return err
	})
	if err != nil && job.Attempt >= job.MaxAttempts {
		// The last attempt: the list would otherwise run for ever. Marked
		// failed even when the run's own context has ended.
		failCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return errors.Join(err, w.Lists.Fail(failCtx, job.Args, err))
	}
	if err != nil {
		return err
	}
	if !next.Done {
		return river.JobSnooze(next.After)
	}
	return nil
}
