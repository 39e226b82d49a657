package lists

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"time"

	"mailvet/db"
	"mailvet/usage"
)

// write stores a run's outcome in one transaction of the list's tenant:
// verdicts, retries, the verdicts the result cache may keep and, when the
// batch is done, the job's completion. A list cancelled or deleted while
// the run was in the engine gets none of it: its stop has already given
// back the quota of every row not verified by then, so a verdict written
// now would be a row verified and counted but refunded too. The run then
// only completes its job, and write says it stopped.
//
// The rows and the cache are written before the list's row is locked, so
// the batches of one list write their rows at once and queue only for the
// counters and the completion (lockList). Until it holds that lock the
// transaction holds the list's row FOR KEY SHARE, which lets other
// batches and Cancel update the row but keeps Delete waiting: Delete's
// cascade to these rows would otherwise wait on this transaction while it
// waits on Delete's lock.
func (p *Processor) write(ctx context.Context, args VerifyBatchArgs, testMode bool, out outcome, batchDone bool,
	complete func(ctx context.Context, tx *sql.Tx) error) (stopped bool, err error) {
	err = p.store.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		if err := planEachRun(ctx, tx); err != nil {
			return err
		}
		if exists, err := shareList(ctx, tx, args); err != nil || !exists {
			return cmp.Or(err, errStopped)
		}
		written, err := writeRows(ctx, tx, args, out)
		if err != nil {
			return err
		}
		if err := writeRetries(ctx, tx, args, out.retry); err != nil {
			return err
		}
		// The cache keeps the live engine verdicts among the results
		// (answers).
		if !testMode && len(out.final) > 0 {
			if err := p.cache.SaveVerdicts(ctx, tx, args.TenantID, testMode, out.answers.results); err != nil {
				return err
			}
		}
		live, err := lockList(ctx, tx, args)
		if err != nil {
			return err
		}
		if !live {
			return errStopped // everything above is rolled back
		}
		if err := countRows(ctx, tx, args, written); err != nil {
			return err
		}
		// The upload reserved every address; the ones answered without
		// the engine (the tenant's rules, its cache) are free, as on the
		// API, and go back.
		if !testMode && written.free > 0 && p.store.quota != nil {
			if err := p.store.quota.Refund(ctx, tx, args.TenantID, written.free); err != nil {
				return err
			}
		}
		if !batchDone {
			return nil
		}
		return p.finishTx(ctx, tx, args, complete)
	})
	if errors.Is(err, errStopped) {
		return true, p.store.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
			return complete(ctx, tx.Tx.Tx)
		})
	}
	return false, err
}

// writeRetries puts off the rows to ask again later, each after its own
// delay, counting the attempt.
func writeRetries(ctx context.Context, tx db.Tx, args VerifyBatchArgs, retry []rowRetry) error {
	if len(retry) == 0 {
		return nil
	}
	rowNo, attempts, delay := make([]int32, len(retry)), make([]int16, len(retry)), make([]float64, len(retry))
	for i, r := range retry {
		rowNo[i], attempts[i], delay[i] = int32(r.RowNo), int16(r.Attempts), r.delay.Seconds()
	}
	_, err := tx.Tx.Tx.ExecContext(ctx, `UPDATE list_rows AS r SET attempts = v.attempts, retry_at = now() + make_interval(secs => v.delay)
		FROM unnest($1::int[], $2::smallint[], $3::float8[]) AS v(row_no, attempts, delay)
		WHERE r.tenant_id = $4 AND r.list_id = $5 AND r.row_no BETWEEN $6 AND $7 AND r.row_no = v.row_no AND r.state = 'pending'`,
		rowNo, attempts, delay, args.TenantID, args.ListID, args.FromRow, args.ToRow)
	return err
}

// errStopped rolls back a batch's write: its list was cancelled or
// deleted while the batch was in the engine.
var errStopped = errors.New("the list was stopped")

// shareList holds the list's row FOR KEY SHARE (see write) and says
// whether the list still exists.
func shareList(ctx context.Context, tx db.Tx, args VerifyBatchArgs) (bool, error) {
	var one int
	err := tx.NewRaw(`SELECT 1 FROM lists WHERE tenant_id = ? AND id = ? FOR KEY SHARE`, args.TenantID, args.ListID).Scan(ctx, &one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// finish completes a batch that had nothing left to do.
func (p *Processor) finish(ctx context.Context, args VerifyBatchArgs, complete func(ctx context.Context, tx *sql.Tx) error) error {
	return p.store.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		// Whether the list still runs or not, the job ends: finishTx
		// completes only a running list.
		if _, err := lockList(ctx, tx, args); err != nil {
			return err
		}
		return p.finishTx(ctx, tx, args, complete)
	})
}

// lockList takes the list's row lock (FOR NO KEY UPDATE: the lock an
// update of its counters takes, which leaves other batches' KEY SHARE be)
// and says whether the list still runs (queued or running). The lock serialises the writes of a list's batches,
// so that the last batch to finish always sees every other batch's rows as
// done, and orders them with Cancel and Delete, which take the same row:
// the status read under it is the one a stop committed before, never an
// older one. A deleted list leaves no row to lock and does not run.
func lockList(ctx context.Context, tx db.Tx, args VerifyBatchArgs) (live bool, err error) {
	var status string
	err = tx.NewRaw(`SELECT status FROM lists WHERE tenant_id = ? AND id = ? FOR NO KEY UPDATE`, args.TenantID, args.ListID).Scan(ctx, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return status == StatusQueued || status == StatusRunning, nil
}

// finishTx completes the job and, when no row of the list is pending any
// more, the list, recording its list.completed event in the same
// transaction: exactly one, as only the statement that moves the list from
// running to completed returns it.
func (p *Processor) finishTx(ctx context.Context, tx db.Tx, args VerifyBatchArgs, complete func(ctx context.Context, tx *sql.Tx) error) error {
	var l List
	err := tx.NewRaw(`UPDATE lists SET status = 'completed', completed_at = now()
		WHERE tenant_id = ? AND id = ? AND status = 'running'
		  AND NOT EXISTS (SELECT 1 FROM list_rows WHERE tenant_id = ? AND list_id = ? AND state = 'pending')
		RETURNING *`, args.TenantID, args.ListID, args.TenantID, args.ListID).Scan(ctx, &l)
	switch {
	case err == nil:
		if err := p.store.recordFinished(ctx, tx, l); err != nil {
			return err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	return complete(ctx, tx.Tx.Tx) // River completes the job through the *sql.Tx
}

// The row updates name the batch's row range as well as each row: the
// range is part of the index condition, so a statement touches at most the
// batch's rows even when the table's statistics are stale (a million rows
// just copied in, not yet analysed, are estimated at one, and the planner
// then hashes the whole list for every batch: 0.6 s a batch, measured).

// rowCounts is what writeRows wrote, for the list's counters and the
// tenant's usage rollups.
type rowCounts struct {
	Done, Deliverable, Undeliverable, Risky, Unknown, Cached, Billable int
	free                                                               int // written without the engine (usage.Billable)
}

// writeRows marks rows done with their verdicts and counts what it
// actually wrote: rows already done (a batch run again after a crash) are
// not touched and not counted twice.
func writeRows(ctx context.Context, tx db.Tx, args VerifyBatchArgs, out outcome) (rowCounts, error) {
	var c rowCounts
	if len(out.final) == 0 {
		return c, nil
	}
	cols := newVerdictColumns(len(out.final))
	cached, billable := make([]bool, len(out.final)), make([]bool, len(out.final))
	for j, i := range out.final {
		r := out.answers.results[i]
		cols.add(out.due[i].RowNo, r)
		cached[j], billable[j] = r.Cached, usage.Billable(r, false) // billable but for test-mode lists
	}
	err := tx.Tx.Tx.QueryRowContext(ctx, `WITH upd AS (
			UPDATE list_rows AS r SET state = 'done', status = v.status, reason = v.reason, score = v.score,
				disposable = v.disposable, role = v.role, free = v.free, catch_all = v.catch_all,
				suggestion = v.suggestion, mx = v.mx, smtp_reply = nullif(v.smtp_reply, ''), checked_at = v.checked_at, retry_at = NULL
			FROM `+verdictsFrom("cached bool", "billable bool")+`
			WHERE r.tenant_id = $15 AND r.list_id = $16 AND r.row_no BETWEEN $17 AND $18 AND r.row_no = v.row_no AND r.state = 'pending'
			RETURNING r.status, v.cached, v.billable)
		SELECT count(*), count(*) FILTER (WHERE status = 'deliverable'), count(*) FILTER (WHERE status = 'undeliverable'),
			count(*) FILTER (WHERE status = 'risky'), count(*) FILTER (WHERE status = 'unknown'),
			count(*) FILTER (WHERE cached), count(*) FILTER (WHERE billable), count(*) FILTER (WHERE NOT billable)
		FROM upd`,
		cols.args(cached, billable, args.TenantID, args.ListID, args.FromRow, args.ToRow)...).
		Scan(&c.Done, &c.Deliverable, &c.Undeliverable, &c.Risky, &c.Unknown, &c.Cached, &c.Billable, &c.free)
	return c, err
}

// countRows adds what writeRows wrote to the list's counters and the
// tenant's usage rollups, in one statement under the list's lock, then
// moves the list's rate window (moveRateWindow) by it.
func countRows(ctx context.Context, tx db.Tx, args VerifyBatchArgs, c rowCounts) error {
	if c.Done == 0 {
		return nil
	}
	row := tx.QueryRowContext(ctx, `WITH rolled AS (
			INSERT INTO usage_daily (`+usage.Columns+`)
			SELECT l.tenant_id, (now() AT TIME ZONE 'UTC')::date, coalesce(l.api_key_id, ?::uuid), 'list', ?,
				?, ?, ?, ?, ?, CASE WHEN l.test_mode THEN 0 ELSE ? END
			FROM lists l WHERE l.tenant_id = ? AND l.id = ?
			`+usage.OnConflict+`)
		UPDATE lists SET processed_rows = processed_rows + ?, deliverable = deliverable + ?, undeliverable = undeliverable + ?,
			risky = risky + ?, unknown = unknown + ?
		WHERE tenant_id = ? AND id = ?
		RETURNING processed_rows, rate_mark_at, rate_mark_rows, recent_rate, recent_rate_at, statement_timestamp()`,
		usage.NoKey, usage.Shard(), c.Deliverable, c.Undeliverable, c.Risky, c.Unknown, c.Cached, c.Billable, args.TenantID, args.ListID,
		c.Done, c.Deliverable, c.Undeliverable, c.Risky, c.Unknown, args.TenantID, args.ListID)
	var processed int
	var w rateWindow
	var at time.Time
	if err := row.Scan(&processed, &w.markAt, &w.markRows, &w.rate, &w.rateAt, &at); err != nil {
		return err
	}
	return moveRateWindow(ctx, tx, args.TenantID, args.ListID, at, processed, w)
}
