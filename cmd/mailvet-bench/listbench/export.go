package listbench

import (
	"bytes"
	"context"
	"fmt"
	"mailvet/lists"
	"runtime/debug"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
)

// MarkDone gives every row of a list a verdict with one UPDATE — setup
// for the export, not the thing measured: statuses and flags vary with
// the row number, one row in a hundred has a suggestion. The list is
// marked completed and its jobs are deleted. With vacuum, the table is
// then vacuumed and analysed, as autovacuum would have done by the time a
// list verified batch by batch completes.
func MarkDone(ctx context.Context, e *Env, listID uuid.UUID, vacuum bool) (int64, error) {
	if err := e.ForgetJobs(ctx); err != nil {
		return 0, err
	}
	var n int64
	err := e.tenantTx(ctx, func(ctx context.Context, tx db.Tx) error {
		res, err := tx.NewRaw(`UPDATE list_rows SET state = 'done',
				status = (ARRAY['deliverable', 'undeliverable', 'risky', 'unknown'])[row_no % 4 + 1],
				reason = (ARRAY['accepted_email', 'rejected_email', 'catch_all', 'timeout'])[row_no % 4 + 1],
				score = (ARRAY[95, 0, 60, 30])[row_no % 4 + 1],
				disposable = row_no % 50 = 0, role = row_no % 30 = 0, free = row_no % 3 = 0, catch_all = row_no % 4 = 2,
				suggestion = CASE WHEN row_no % 100 = 0 THEN 'gmail.com' END,
				mx = 'mx.example.test', checked_at = now(), duplicate_of = NULL
			WHERE tenant_id = ? AND list_id = ?`, e.TenantID, listID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.NewRaw(`UPDATE lists SET status = 'completed', processed_rows = ?, started_at = now(), completed_at = now()
			WHERE tenant_id = ? AND id = ?`, n, e.TenantID, listID).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, err
	}
	// VACUUM is the owner's (PostgreSQL 15 grants it to no other role).
	if vacuum {
		if err := e.asOwner(ctx, `VACUUM (ANALYZE) list_rows`); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// ExportResult is one export of a list.
type ExportResult struct {
	Rows     int64 // CSV records, header excluded
	Bytes    int64
	Duration time.Duration
	PeakRSS  uint64 // VmHWM over the export (since a reset, when ResetOK)
	ResetOK  bool
	// RSSBefore/After are VmRSS around the export; PeakHeap is the largest
	// Go heap sampled during it, HeapBefore the heap when it started.
	RSSBefore, RSSAfter  uint64
	HeapBefore, PeakHeap uint64
}

// RowsPerSec is the export rate.
func (r ExportResult) RowsPerSec() float64 { return float64(r.Rows) / r.Duration.Seconds() }

// Export streams the list's verdicts as CSV to a byte counter (io.Discard
// that counts) and times it.
func Export(ctx context.Context, e *Env, listID uuid.UUID) (ExportResult, error) {
	debug.FreeOSMemory() // start from what the process really holds, so VmHWM shows this run
	res := ExportResult{ResetOK: ResetPeakRSS(), RSSBefore: RSS(), HeapBefore: HeapObjects()}
	heap := startHeapSampler(10 * time.Millisecond)
	var w lineCounter
	start := time.Now()
	err := e.Store.Export(ctx, e.TenantID, listID, lists.ExportOptions{}, e.By, &w)
	res.Duration = time.Since(start)
	res.PeakHeap = heap.Stop()
	res.PeakRSS, res.RSSAfter = PeakRSS(), RSS()
	res.Bytes, res.Rows = w.bytes, w.lines-1
	if err == nil && w.lines == 0 {
		err = fmt.Errorf("export wrote nothing")
	}
	return res, err
}

// lineCounter discards what it is given, counting bytes and lines (the
// generated lists have no line breaks inside fields).
type lineCounter struct{ bytes, lines int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.bytes += int64(len(p))
	c.lines += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}
