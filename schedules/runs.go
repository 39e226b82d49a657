package schedules

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/lists"
)

// Queue is the River queue runs go on: the lists' own, so that a
// re-validation shares the list workers and their per-host limits.
const Queue = lists.Queue

// RunArgs is one run's River job, unique by Key: a schedule's period
// ("schedule:<id>:<period>") or a run by hand ("run:<id>"). The run's row
// is unique per schedule and period too (list_runs_period_idx), and the
// tick inserts both in one transaction, so a period is enqueued at most
// once even after River has forgotten its completed jobs.
type RunArgs struct {
	TenantID   uuid.UUID  `json:"tenant_id"`
	RunID      uuid.UUID  `json:"run_id"`
	ScheduleID *uuid.UUID `json:"schedule_id,omitempty"`
	Period     *time.Time `json:"period,omitempty"`
	Key        string     `json:"key" river:"unique"`
}

// runKey is a run's unique key.
func runKey(runID uuid.UUID, scheduleID *uuid.UUID, period *time.Time) string {
	if scheduleID != nil && period != nil {
		return "schedule:" + scheduleID.String() + ":" + period.UTC().Format(time.RFC3339)
	}
	return "run:" + runID.String()
}

// Kind names the job.
func (RunArgs) Kind() string { return "schedules.run" }

// InsertOpts puts runs on the lists queue, unique by their arguments.
func (RunArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

const runColumns = `id, tenant_id, list_id, schedule_id, trigger, period, status, failure_code, failure_reason, total, checked,
	unconfirmed, changed, charged, refunded, deliverable, undeliverable, risky, unknown, transitions, checkpoint, created_at, started_at, completed_at`

func scanRun(row interface{ Scan(...any) error }) (Run, error) {
	var r Run
	var transitions []byte
	err := row.Scan(&r.ID, &r.tenantID, &r.ListID, &r.ScheduleID, &r.Trigger, &r.Period, &r.Status, &r.FailureCode, &r.FailureReason,
		&r.Total, &r.Checked, &r.Unconfirmed, &r.Changed, &r.Charged, &r.refunded, &r.Counts.Deliverable, &r.Counts.Undeliverable,
		&r.Counts.Risky, &r.Counts.Unknown, &transitions, &r.checkpoint, &r.CreatedAt, &r.StartedAt, &r.CompletedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrRunNotFound
	}
	if err != nil {
		return r, err
	}
	r.Transitions = []Transition{}
	return r, json.Unmarshal(transitions, &r.Transitions)
}

// insertRun creates a queued run and its job in tx. It inserts nothing
// (ok false) when the period already has its run or the list already
// has a run queued or running.
func (s *Service) insertRun(ctx context.Context, tx db.Tx, tenantID, listID uuid.UUID, scheduleID *uuid.UUID, period *time.Time) (Run, bool, error) {
	trigger := TriggerManual
	if period != nil {
		trigger = TriggerSchedule
	}
	r, err := scanRun(tx.QueryRowContext(ctx, `INSERT INTO list_runs (id, tenant_id, list_id, schedule_id, trigger, period)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING `+runColumns, uuid.New(), tenantID, listID, scheduleID, trigger, period))
	if errors.Is(err, ErrRunNotFound) {
		return Run{}, false, nil
	}
	if err != nil {
		return Run{}, false, err
	}
	args := RunArgs{TenantID: tenantID, RunID: r.ID, ScheduleID: scheduleID, Period: period, Key: runKey(r.ID, scheduleID, period)}
	if _, err := s.jobs.InsertManyFastTx(ctx, tx.Tx.Tx, []river.InsertManyParams{{Args: args}}); err != nil {
		return Run{}, false, err
	}
	return r, true, nil
}

// RunNow queues a run of the list at once (any member may, as any member
// may upload), whether or not it has a schedule.
func (s *Service) RunNow(ctx context.Context, tenantID, listID uuid.UUID, by actor.Actor) (Run, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return Run{}, err
	}
	var out Run
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		l, err := lists.GetInTx(ctx, tx, tenantID, listID, by.TestMode)
		if err != nil {
			return err
		}
		if l.Status != lists.StatusCompleted {
			return ErrListNotReady
		}
		var scheduleID *uuid.UUID
		if err := tx.QueryRowContext(ctx, `SELECT id FROM list_schedules WHERE tenant_id = ? AND list_id = ?`, tenantID, listID).Scan(&scheduleID); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		r, ok, err := s.insertRun(ctx, tx, tenantID, listID, scheduleID, nil)
		if err != nil {
			return err
		}
		if !ok {
			return ErrRunActive
		}
		out = r
		return audit.Record(ctx, tx, tenantID, by, AuditRunRequested, auditTarget, listID.String(), map[string]any{"run_id": r.ID.String()})
	})
	return out, err
}

// GetRun returns one run of a list.
func (s *Service) GetRun(ctx context.Context, tenantID, listID, runID uuid.UUID, by actor.Actor) (Run, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return Run{}, err
	}
	var out Run
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		out, err = getRun(ctx, tx, tenantID, listID, runID, by.TestMode)
		return err
	})
	return out, err
}

// getRun reads a run of a list of the actor's mode.
func getRun(ctx context.Context, tx db.Tx, tenantID, listID, runID uuid.UUID, testMode bool) (Run, error) {
	if _, err := lists.GetInTx(ctx, tx, tenantID, listID, testMode); err != nil {
		return Run{}, err
	}
	return scanRun(tx.QueryRowContext(ctx, `SELECT `+runColumns+` FROM list_runs WHERE tenant_id = ? AND list_id = ? AND id = ?`, tenantID, listID, runID))
}

// RunPage is a page of runs, newest first.
type RunPage struct {
	Runs []Run  `json:"runs"`
	Next string `json:"next_cursor,omitempty"`
}

// Runs returns a list's runs, newest first, limit at a time.
func (s *Service) Runs(ctx context.Context, tenantID, listID uuid.UUID, cursor string, limit int, by actor.Actor) (RunPage, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return RunPage{}, err
	}
	limit = min(max(limit, 1), 200)
	at, id, err := lists.DecodeTimeCursor(cursor)
	if err != nil {
		return RunPage{}, err
	}
	page := RunPage{Runs: []Run{}}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if _, err := lists.GetInTx(ctx, tx, tenantID, listID, by.TestMode); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+runColumns+` FROM list_runs WHERE tenant_id = ? AND list_id = ?
			AND (?::timestamptz IS NULL OR (created_at, id) < (?::timestamptz, ?::uuid))
			ORDER BY created_at DESC, id DESC LIMIT ?`, tenantID, listID, at, at, id, limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanRun(rows)
			if err != nil {
				return err
			}
			page.Runs = append(page.Runs, r)
		}
		return rows.Err()
	})
	if err != nil {
		return RunPage{}, err
	}
	if len(page.Runs) > limit {
		page.Runs = page.Runs[:limit]
		last := page.Runs[limit-1]
		page.Next = lists.EncodeTimeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// Cancel stops a queued or running run (any member may, as for a list):
// the rows it checked keep their new verdicts, the quota of the rest goes
// back, and the failure notice goes out.
func (s *Service) Cancel(ctx context.Context, tenantID, listID, runID uuid.UUID, by actor.Actor) (Run, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return Run{}, err
	}
	var out Run
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if _, err := getRun(ctx, tx, tenantID, listID, runID, by.TestMode); err != nil {
			return err
		}
		r, err := s.stop(ctx, tx, tenantID, runID, RunCancelled, FailCanceled, "Cancelled by "+who(by)+".")
		if err != nil {
			return err
		}
		out = r
		return audit.Record(ctx, tx, tenantID, by, AuditRunCancelled, auditTarget, listID.String(), map[string]any{"run_id": runID.String()})
	})
	return out, err
}

// who names an actor in a failure notice.
func who(by actor.Actor) string {
	switch {
	case by.Email != "":
		return by.Email
	case by.Kind == actor.KindAPIKey:
		return "an API key"
	}
	return "mailvet"
}
