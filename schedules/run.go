package schedules

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/lists"
	"mailvet/verify"
)

// Runner works runs: the River job's side of a run.
type Runner struct {
	s     *Service
	proc  *lists.Processor
	chunk int
	obs   Observer
}

// NewRunner returns a Runner verifying with proc (the list batches'
// processor: the same rules and engine, without the cache). chunk is how
// many addresses it asks and writes at a time (default 200).
func NewRunner(s *Service, proc *lists.Processor, chunk int) *Runner {
	if chunk <= 0 {
		chunk = 200
	}
	return &Runner{s: s, proc: proc, chunk: chunk, obs: unobserved{}}
}

// Next says what the job does after a run of it: Done, or run again at
// once from the checkpoint (its time limit was near).
type Next struct{ Done bool }

// writeReserve is the part of a job's time kept for writing a chunk.
const writeReserve = 10 * time.Second

// Run works a run until it is finished or its job's time is nearly up.
// Each chunk's verdicts, changes and checkpoint commit together, so a
// job run again after a crash redoes at most one chunk, which finds its
// rows already written and records no change twice (the checkpoint
// guards the write).
func (r *Runner) Run(ctx context.Context, args RunArgs) (Next, error) {
	run, testMode, err := r.start(ctx, args)
	if errors.Is(err, ErrRunNotFound) || errors.Is(err, lists.ErrNotFound) {
		return Next{Done: true}, nil // the list was deleted with its runs
	}
	if err != nil || run.Status != RunRunning {
		return Next{Done: true}, err
	}
	// A chunk starts only with enough of the job's time left to be
	// answered and written: twice the write reserve, or half the job's
	// time when that is short.
	deadline, bounded := ctx.Deadline()
	enough := min(2*writeReserve, time.Until(deadline)/2)
	for {
		if bounded && time.Until(deadline) < enough {
			return Next{}, nil
		}
		var addrs []lists.Address
		err := r.s.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
			var err error
			addrs, err = lists.UniqueAddresses(ctx, tx, args.TenantID, run.ListID, run.checkpoint, r.chunk)
			return err
		})
		if err != nil {
			return Next{}, err
		}
		if len(addrs) == 0 {
			return Next{Done: true}, r.finish(ctx, args)
		}
		verdicts, err := r.proc.Reverify(ctx, args.TenantID, addrs, testMode)
		if err != nil {
			return Next{}, err
		}
		if err := ctx.Err(); err != nil {
			return Next{}, err // stopped from outside: River runs the job again from the checkpoint
		}
		n := answered(verdicts)
		if run, err = r.write(ctx, args, run, testMode, addrs[:n], verdicts[:n]); err != nil || run.Status != RunRunning {
			return Next{Done: true}, err
		}
		if n < len(addrs) {
			return Next{}, nil // the engine ran out of the job's time: the next run goes on after what was written
		}
	}
}

// answered is how many of a chunk's verdicts, from its first, the engine
// gave before the run's time ran out: they are written and the rest is
// asked again in the job's next run. When not even the first was
// answered, that one counts as written (an unconfirmed answer: its
// previous verdict stands), so that an address the engine cannot answer
// within a run never holds the run back for ever.
func answered(verdicts []lists.Reverified) int {
	for i, v := range verdicts {
		if !v.Answered {
			return max(i, 1)
		}
	}
	return len(verdicts)
}

// start moves a queued run to running, charging its addresses to the
// month up front; a run that does not fit fails at once, charging
// nothing. It returns the run as it stands and the list's mode.
func (r *Runner) start(ctx context.Context, args RunArgs) (Run, bool, error) {
	var run Run
	var testMode bool
	err := r.s.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		if run, err = lockRun(ctx, tx, args.TenantID, args.RunID); err != nil {
			return err
		}
		l, err := lists.GetAnyModeInTx(ctx, tx, args.TenantID, run.ListID)
		if err != nil {
			return err
		}
		testMode = l.TestMode
		if run.Status != RunQueued {
			return nil
		}
		if l.Status != lists.StatusCompleted {
			run, err = r.s.stop(ctx, tx, args.TenantID, run.ID, RunFailed, FailNoList, "The list has not finished its first verification.")
			return err
		}
		total := l.UniqueRows
		if !testMode && r.s.quota != nil {
			_, err := r.s.quota.ConsumeList(ctx, tx, args.TenantID, uuid.Nil, billing.KeyLimits{}, total)
			var exceeded *billing.ExceededError
			if errors.As(err, &exceeded) {
				run, err = r.s.stop(ctx, tx, args.TenantID, run.ID, RunFailed, FailQuota,
					"This run "+exceeded.Error()+": it did not start and nothing was charged.")
				return err
			}
			if err != nil {
				return err
			}
		}
		charged := total
		if testMode {
			charged = 0
		}
		run, err = scanRun(tx.QueryRowContext(ctx, `UPDATE list_runs SET status = 'running', started_at = now(), total = ?, charged = ?
			WHERE tenant_id = ? AND id = ? RETURNING `+runColumns, total, charged, args.TenantID, run.ID))
		return err
	})
	return run, testMode, err
}

// lockRun reads a run under its row lock, which orders a chunk's write
// with Cancel.
func lockRun(ctx context.Context, tx db.Tx, tenantID, runID uuid.UUID) (Run, error) {
	return scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM list_runs WHERE tenant_id = ? AND id = ? FOR UPDATE`, tenantID, runID))
}

// write stores one chunk: the definite verdicts that differ, the status
// changes, the checkpoint and the refund of what the rules answered. A
// temporary answer (greylisting, a timeout), or none at all, is not a
// verdict on the address: its previous one stands and the run counts it
// unconfirmed.
func (r *Runner) write(ctx context.Context, args RunArgs, prev Run, testMode bool, addrs []lists.Address, verdicts []lists.Reverified) (Run, error) {
	var run Run
	wrote := false
	err := r.s.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		wrote = false // a retried transaction starts again
		if run, err = lockRun(ctx, tx, args.TenantID, args.RunID); err != nil {
			return err
		}
		if run.Status != RunRunning || run.checkpoint != prev.checkpoint {
			return nil // cancelled meanwhile, or this chunk is already written
		}
		wrote = true
		definite := make([]lists.Reverified, 0, len(verdicts))
		free := 0
		for _, v := range verdicts {
			if v.Free {
				free++
			}
			if v.Answered && !v.Result.Temporary() && !timedOut(v.Result) {
				definite = append(definite, v)
			}
		}
		from, to := addrs[0].RowNo, addrs[len(addrs)-1].RowNo
		changes, err := lists.ApplyVerdicts(ctx, tx, args.TenantID, run.ListID, from, to, definite)
		if err != nil {
			return err
		}
		if err := insertChanges(ctx, tx, args.TenantID, run.ID, changes); err != nil {
			return err
		}
		if err := rollUp(ctx, tx, args.TenantID, testMode, verdicts); err != nil {
			return err
		}
		if run.Charged > 0 && free > 0 && r.s.quota != nil {
			if err := r.s.quota.Refund(ctx, tx, args.TenantID, free); err != nil {
				return err
			}
		} else {
			free = 0
		}
		run, err = scanRun(tx.QueryRowContext(ctx, `UPDATE list_runs SET checked = checked + ?, unconfirmed = unconfirmed + ?,
				changed = changed + ?, refunded = refunded + ?, checkpoint = ?
			WHERE tenant_id = ? AND id = ? RETURNING `+runColumns,
			len(verdicts), len(verdicts)-len(definite), len(changes), free, to, args.TenantID, run.ID))
		return err
	})
	if err == nil && wrote {
		for _, v := range verdicts {
			if v.Answered {
				r.obs.Verified(SourceSchedule, v.Result)
			}
		}
	}
	return run, err
}

// timedOut is an engine answer that says nothing about the mailbox.
func timedOut(r verify.Result) bool {
	return r.Reason == verify.ReasonTimeout || r.Reason == verify.ReasonNoConnect
}

// finish completes a run whose every address was checked: the list's
// counters, the run's counts and transitions, and schedule.completed. A
// run whose answers were mostly unconfirmed had the engine (DNS, the mail
// servers) out of reach: it fails instead, keeping what it learnt.
func (r *Runner) finish(ctx context.Context, args RunArgs) error {
	outcome := ""
	err := r.s.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		outcome = ""
		run, err := lockRun(ctx, tx, args.TenantID, args.RunID)
		if err != nil || run.Status != RunRunning {
			return err
		}
		c, err := lists.Recount(ctx, tx, args.TenantID, run.ListID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE list_runs SET deliverable = ?, undeliverable = ?, risky = ?, unknown = ?,
				transitions = coalesce((SELECT jsonb_agg(jsonb_build_object('from', old_status, 'to', new_status, 'count', n) ORDER BY n DESC, old_status, new_status)
					FROM (SELECT old_status, new_status, count(*) AS n FROM list_run_changes WHERE tenant_id = ? AND run_id = ?
					      GROUP BY old_status, new_status) t), '[]')
			WHERE tenant_id = ? AND id = ?`, c.Deliverable, c.Undeliverable, c.Risky, c.Unknown, args.TenantID, run.ID, args.TenantID, run.ID); err != nil {
			return err
		}
		if run.Checked > 0 && run.Unconfirmed*2 > run.Checked {
			_, err := r.s.stop(ctx, tx, args.TenantID, run.ID, RunFailed, FailEngine, english().Sprintf(
				"%d of the %d addresses got no definite answer (DNS or the mail servers were out of reach); their previous verdicts stand.",
				run.Unconfirmed, run.Checked))
			outcome = RunFailed
			return err
		}
		run, err = scanRun(tx.QueryRowContext(ctx, `UPDATE list_runs SET status = 'completed', completed_at = now()
			WHERE tenant_id = ? AND id = ? RETURNING `+runColumns, args.TenantID, run.ID))
		if err != nil {
			return err
		}
		outcome = RunCompleted
		return r.s.notify(ctx, tx, run)
	})
	if err == nil && outcome != "" {
		r.obs.ScheduledRun(outcome)
	}
	return err
}

// Fail marks a run failed once its job gave up (its last attempt failed),
// with the notice, even when the job's own context has ended.
func (r *Runner) Fail(ctx context.Context, args RunArgs, cause error) error {
	failed := false
	err := r.s.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		_, err := r.s.stop(ctx, tx, args.TenantID, args.RunID, RunFailed, FailError, "The run stopped on an error: "+cause.Error())
		if errors.Is(err, ErrRunFinished) || errors.Is(err, ErrRunNotFound) {
			failed = false
			return nil
		}
		failed = err == nil
		return err
	})
	if err == nil && failed {
		r.obs.ScheduledRun(RunFailed)
	}
	return err
}
