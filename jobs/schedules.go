package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"mailvet/schedules"
)

// ScheduleTickArgs is the periodic job that enqueues the due periods of
// every list schedule. River runs periodic jobs on its leader alone; the
// schedules themselves live in their own table, so a leader change loses
// none of them.
type ScheduleTickArgs struct{}

// Kind names the job.
func (ScheduleTickArgs) Kind() string { return "schedules.tick" }

// ScheduleTickWorker runs the tick.
type ScheduleTickWorker struct {
	river.WorkerDefaults[ScheduleTickArgs]
	Schedules *schedules.Service
}

// Work enqueues what is due and records how many.
func (w *ScheduleTickWorker) Work(ctx context.Context, job *river.Job[ScheduleTickArgs]) error {
	n, err := w.Schedules.Tick(ctx)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, map[string]int{"enqueued": n})
}

// ScheduleRunWorker works one run through the schedules domain, which
// checkpoints it as it goes.
type ScheduleRunWorker struct {
	river.WorkerDefaults[schedules.RunArgs]
	Runs *schedules.Runner
	// timeout is the list batches' (Options.BatchTimeout), which the
	// rescue delay is set above.
	timeout time.Duration
}

// Timeout bounds one run of the job; the run goes on in the next.
func (w *ScheduleRunWorker) Timeout(*river.Job[schedules.RunArgs]) time.Duration { return w.timeout }

// Work runs the run; near its time limit it snoozes for no time at all to
// go on from its checkpoint (a snooze counts no attempt). The last
// failed attempt fails the run, with its notice.
func (w *ScheduleRunWorker) Work(ctx context.Context, job *river.Job[schedules.RunArgs]) error {
	next, err := w.Runs.Run(ctx, job.Args)
	if err != nil && job.Attempt >= job.MaxAttempts {
		failCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		return errors.Join(err, w.Runs.Fail(failCtx, job.Args, err))
	}
	if err != nil {
		return err
	}
	if !next.Done {
		return river.JobSnooze(0)
	}
	return nil
}
