package lists

import (
	"context"
	"math"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/db"
)

// RunningProgressCap is the most a list still running shows: rows deferred
// until a retry, or the last batch being written, are work left, and "100 %"
// while work is left is the lie customers notice first.
const RunningProgressCap = 99

// Progress is the share of unique rows with a final verdict, 0–100. It is
// the one figure the page and the API show, so the cap lives here: below
// 100 until the list is finished.
func (l List) Progress() float64 {
	if l.UniqueRows == 0 {
		if l.Finished() {
			return 100
		}
		return 0
	}
	p := float64(l.ProcessedRows) * 100 / float64(l.UniqueRows)
	if !l.Finished() {
		p = min(p, RunningProgressCap)
	}
	return p
}

// RateWindow is the least span of batch writes a list's rate is measured
// over: shorter, and one batch arriving early or late swings the estimate
// by hours.
const RateWindow = 5 * time.Second

// rateWindowMax is the longest span that still measures processing. Every
// running batch writes at least once per BatchTimeout, so a longer gap
// between writes was a pause (rows waiting for their retry, no free
// worker), and a rate over it would be far too low.
const rateWindowMax = 2 * BatchTimeout

// rateWindow is the recent-rate measure kept on the list: the open window
// starts at a batch write (markAt, with markRows processed then) and closes
// at the first write at least RateWindow later, which sets rate.
type rateWindow struct {
	markAt   *time.Time
	markRows int
	rate     *float64
	rateAt   *time.Time
}

func (l List) rateWindow() rateWindow {
	return rateWindow{markAt: l.RateMarkAt, markRows: l.RateMarkRows, rate: l.RecentRate, rateAt: l.RecentRateAt}
}

// advance is the window after a batch write at at left processed rows
// verified. The first write only opens the window: the rows it brings were
// verified over a time nobody measured.
func (w rateWindow) advance(at time.Time, processed int) rateWindow {
	if w.markAt == nil || at.Sub(*w.markAt) > rateWindowMax || processed < w.markRows {
		return rateWindow{markAt: &at, markRows: processed, rate: w.rate, rateAt: w.rateAt}
	}
	span := at.Sub(*w.markAt)
	if span < RateWindow {
		return w
	}
	rate := float64(processed-w.markRows) / span.Seconds()
	return rateWindow{markAt: &at, markRows: processed, rate: &rate, rateAt: &at}
}

// Rate is rows verified per second. While the list runs it is the rate of
// the last full window, zero until one was measured or once it is older
// than rateWindowMax (nothing was written since: the list is paused). A
// finished list gives its average from start to end.
func (l List) Rate(now time.Time) float64 {
	if l.Finished() {
		if l.StartedAt == nil || l.CompletedAt == nil || l.ProcessedRows == 0 {
			return 0
		}
		secs := l.CompletedAt.Sub(*l.StartedAt).Seconds()
		if secs <= 0 {
			return 0
		}
		return float64(l.ProcessedRows) / secs
	}
	if l.RecentRate == nil || l.RecentRateAt == nil || now.Sub(*l.RecentRateAt) > rateWindowMax {
		return 0
	}
	return *l.RecentRate
}

// ActiveRows are the rows left that are not waiting for a retry.
func (l List) ActiveRows() int {
	return max(l.UniqueRows-l.ProcessedRows-l.DeferredRows, 0)
}

// ETA estimates the time left for the rows not waiting for a retry, at the
// recent rate. ok is false when no estimate is meaningful: no full window
// measured yet, the list paused, or only deferred rows left (their time is
// NextRetryAt, not a rate). A finished list has zero left.
func (l List) ETA(now time.Time) (left time.Duration, ok bool) {
	if l.Finished() {
		return 0, true
	}
	rate, active := l.Rate(now), l.ActiveRows()
	if rate <= 0 || active == 0 {
		return 0, false
	}
	secs := math.Ceil(float64(active) / rate)
	return time.Duration(secs) * time.Second, true
}

// moveRateWindow advances the list's rate window after a batch write, in
// the writer's transaction, under the list's row lock (lockList), so that
// concurrent batches move it one after the other. The clock is the
// database's: workers on several machines share it.
func moveRateWindow(ctx context.Context, tx db.Tx, tenantID, listID uuid.UUID, at time.Time, processed int, w rateWindow) error {
	next := w.advance(at, processed)
	if next == w {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE lists SET rate_mark_at = ?, rate_mark_rows = ?, recent_rate = ?, recent_rate_at = ?
		WHERE tenant_id = ? AND id = ?`, next.markAt, next.markRows, next.rate, next.rateAt, tenantID, listID)
	return err
}

// loadDeferred fills in the deferred rows and next retry of the unfinished
// lists among ls, in one query that reads only rows waiting for a retry
// (the partial index list_rows_retry_idx). A row cut by a run's time limit
// is due again at once (retry_at not in the future) and is not deferred.
func loadDeferred(ctx context.Context, tx db.Tx, tenantID uuid.UUID, ls []List) error {
	at := map[uuid.UUID]int{}
	var ids []uuid.UUID
	for i, l := range ls {
		if !l.Finished() {
			at[l.ID] = i
			ids = append(ids, l.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var found []struct {
		ListID uuid.UUID `bun:"list_id"`
		Rows   int       `bun:"rows"`
		NextAt time.Time `bun:"next_at"`
	}
	if err := tx.NewRaw(`SELECT list_id, count(*) AS rows, min(retry_at) AS next_at FROM list_rows
		WHERE tenant_id = ? AND list_id IN (?) AND state = 'pending' AND retry_at > statement_timestamp()
		GROUP BY list_id`, tenantID, bun.In(ids)).Scan(ctx, &found); err != nil {
		return err
	}
	for _, f := range found {
		l := &ls[at[f.ListID]]
		l.DeferredRows, l.NextRetryAt = f.Rows, &f.NextAt
	}
	return nil
}
