package listbench

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/lists"
)

// IngestResult is one upload of a generated list.
type IngestResult struct {
	Rows     int
	Bytes    int64
	Duration time.Duration // Store.Create: stored, de-duplicated and queued
	PeakRSS  uint64        // VmHWM over the upload (since a reset, when ResetOK)
	ResetOK  bool          // VmHWM was reset just before the upload
	PeakHeap uint64        // largest Go heap sampled during the upload
	List     lists.List
}

// RowsPerSec is the ingest rate.
func (r IngestResult) RowsPerSec() float64 { return float64(r.Rows) / r.Duration.Seconds() }

// Ingest uploads g as a CSV list through Store.Create and times it.
func Ingest(ctx context.Context, e *Env, g *Gen, name string) (IngestResult, error) {
	debug.FreeOSMemory() // start from what the process really holds, so VmHWM shows this run
	res := IngestResult{Rows: g.Rows(), ResetOK: ResetPeakRSS()}
	heap := startHeapSampler(10 * time.Millisecond)
	start := time.Now()
	l, _, err := e.Store.Create(ctx, lists.NewList{TenantID: e.TenantID, By: e.By, Name: name, File: g})
	res.Duration = time.Since(start)
	res.PeakHeap = heap.Stop()
	res.PeakRSS = PeakRSS()
	res.Bytes, res.List = g.Bytes(), l
	return res, err
}

// IngestCheck is what the database holds after an ingest.
type IngestCheck struct {
	Total, Unique, Duplicates, Skipped int // the list's counters
	CaseOnly                           int // duplicates differing only in case, as generated
	Batches, Jobs                      int // lists.batches; River jobs for the list
	MinBatch, MaxBatch                 int // pending rows per job
	Problems                           []string
}

// CheckIngest compares the stored list with what g generated: counters,
// every row's state, every duplicate's first row, the distinct addresses,
// and one River job per batch whose ranges cover every pending row once.
func CheckIngest(ctx context.Context, e *Env, g *Gen, listID uuid.UUID) (IngestCheck, error) {
	var c IngestCheck
	// One snapshot of the tenant's rows, read as the service reads them
	// (row-level security on). Plain SQL with bind parameters: these
	// statements are the bench's own, not a store's.
	err := e.DB.Tx(ctx, db.Tenant(e.TenantID).Snapshot(), func(ctx context.Context, tx db.Tx) error {
		c = IngestCheck{}
		return checkIngest(ctx, tx.Tx.Tx, &c, e, g, listID)
	})
	return c, err
}

func checkIngest(ctx context.Context, q *sql.Tx, c *IngestCheck, e *Env, g *Gen, listID uuid.UUID) error {
	bad := func(format string, args ...any) { c.Problems = append(c.Problems, fmt.Sprintf(format, args...)) }
	var status string
	if err := q.QueryRowContext(ctx, `SELECT status, total_rows, unique_rows, duplicate_rows, skipped_rows, batches FROM lists WHERE tenant_id = $1 AND id = $2`,
		e.TenantID, listID).Scan(&status, &c.Total, &c.Unique, &c.Duplicates, &c.Skipped, &c.Batches); err != nil {
		return err
	}
	if c.Total != g.Rows() || c.Unique != g.Unique() || c.Duplicates != g.Duplicates() || c.Skipped != 0 {
		bad("counters total %d, unique %d, duplicates %d, skipped %d; generated %d, %d, %d, 0",
			c.Total, c.Unique, c.Duplicates, c.Skipped, g.Rows(), g.Unique(), g.Duplicates())
	}
	if status != lists.StatusQueued {
		bad("status %q, want queued", status)
	}

	// Row states.
	rows, err := q.QueryContext(ctx, `SELECT state, count(*) FROM list_rows WHERE tenant_id = $1 AND list_id = $2 GROUP BY state`, e.TenantID, listID)
	if err != nil {
		return err
	}
	defer rows.Close()
	states := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return err
		}
		states[s] = n
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if states["pending"] != g.Unique() || states["duplicate"] != g.Duplicates() || len(states) != 2 && g.Duplicates() > 0 {
		bad("row states %v", states)
	}

	// Every duplicate, in row order, against the generator.
	rows, err = q.QueryContext(ctx, `SELECT row_no, duplicate_of FROM list_rows WHERE tenant_id = $1 AND list_id = $2 AND state = 'duplicate' ORDER BY row_no`, e.TenantID, listID)
	if err != nil {
		return err
	}
	defer rows.Close()
	want := 0 // last generated duplicate row compared
	nextDup := func() (row, first int, v Variant, ok bool) {
		for want < g.Rows() {
			want++
			if first, v, ok := g.DuplicateOf(want); ok {
				return want, first, v, true
			}
		}
		return 0, 0, 0, false
	}
	wrong := 0
	for rows.Next() {
		var rowNo, dupOf int
		if err := rows.Scan(&rowNo, &dupOf); err != nil {
			return err
		}
		r, first, v, ok := nextDup()
		switch {
		case !ok || r != rowNo || first != dupOf:
			if wrong++; wrong <= 3 {
				bad("row %d stored as a duplicate of row %d; generated: row %d duplicates row %d", rowNo, dupOf, r, first)
			}
		case v != Exact:
			c.CaseOnly++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if r, _, _, ok := nextDup(); ok {
		bad("generated duplicate row %d (and maybe more) not stored as one", r)
	}
	if wrong > 3 {
		bad("… %d duplicate rows wrong in all", wrong)
	}

	// No two pending rows share an address, case aside.
	var distinct int
	if err := q.QueryRowContext(ctx, `SELECT count(DISTINCT lower(email)) FROM list_rows WHERE tenant_id = $1 AND list_id = $2 AND state = 'pending'`,
		e.TenantID, listID).Scan(&distinct); err != nil {
		return err
	}
	if distinct != states["pending"] {
		bad("%d pending rows hold %d distinct addresses", states["pending"], distinct)
	}

	// One River job per batch; the jobs' ranges do not overlap and hold
	// every pending row.
	var covered, overlaps int
	if err := q.QueryRowContext(ctx, `WITH j AS (
			SELECT (args->>'from_row')::int AS f, (args->>'to_row')::int AS t
			FROM river_job WHERE kind = $3 AND args->>'list_id' = $4
		), c AS (
			SELECT f, t, lag(t) OVER (ORDER BY f) AS prev_t,
				(SELECT count(*) FROM list_rows r WHERE r.tenant_id = $1 AND r.list_id = $2 AND r.state = 'pending' AND r.row_no BETWEEN j.f AND j.t) AS n
			FROM j)
		SELECT count(*), coalesce(sum(n), 0), coalesce(min(n), 0), coalesce(max(n), 0), count(*) FILTER (WHERE f <= prev_t) FROM c`,
		e.TenantID, listID, lists.VerifyBatchArgs{}.Kind(), listID.String()).Scan(&c.Jobs, &covered, &c.MinBatch, &c.MaxBatch, &overlaps); err != nil {
		return err
	}
	if c.Jobs != c.Batches || covered != states["pending"] || overlaps != 0 || c.MinBatch < 1 {
		bad("%d River jobs for %d batches; they cover %d of %d pending rows, %d overlap, smallest holds %d rows",
			c.Jobs, c.Batches, covered, states["pending"], overlaps, c.MinBatch)
	}
	return nil
}
