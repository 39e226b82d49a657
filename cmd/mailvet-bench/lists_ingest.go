package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"mailvet/cmd/mailvet-bench/listbench"
	"mailvet/views"
)

// ingest uploads the generated list and checks what was stored; with
// export, it then gives every row a verdict and exports the list.
func (b *listsBench) ingest(ctx context.Context, export bool) error {
	g := listbench.NewGen(listbench.GenOptions{Rows: b.rows, DupEvery: 10, Seed: uint64(b.seed)})
	res, err := listbench.Ingest(ctx, b.e, g, "bench: generated contacts")
	if err != nil {
		return fmt.Errorf("ingest: %w", err)
	}
	b.peak = max(b.peak, res.PeakRSS)
	fmt.Fprintf(b.stdout, "\ningest   %s rows (%.1f MB of CSV) stored, de-duplicated and queued in %.2fs (%s rows/s)\n",
		views.Thousands(res.Rows), listbench.MB(uint64(res.Bytes)), res.Duration.Seconds(), views.Thousands(int(res.RowsPerSec())))
	fmt.Fprintf(b.stdout, "         peak RSS (VmHWM) %.0f MB%s, Go heap at most %.0f MB; load average %s\n",
		listbench.MB(res.PeakRSS), resetNote(res.ResetOK), listbench.MB(res.PeakHeap), loadAvg())
	if b.rows == 1_000_000 {
		fmt.Fprintf(b.stdout, "         target ≤ 15 s: %s; ≤ 200 MB: %s\n",
			b.check(res.Duration <= 15*time.Second), b.check(res.PeakRSS <= 200e6))
	}
	c, err := listbench.CheckIngest(ctx, b.e, g, res.List.ID)
	if err != nil {
		return fmt.Errorf("ingest check: %w", err)
	}
	fmt.Fprintf(b.stdout, "         stored: total %s, unique %s, duplicates %s (generated %s, %s of them differing only in case), skipped %d\n",
		views.Thousands(c.Total), views.Thousands(c.Unique), views.Thousands(c.Duplicates), views.Thousands(g.Duplicates()), views.Thousands(c.CaseOnly), c.Skipped)
	fmt.Fprintf(b.stdout, "         queued: %d batches, %d River jobs, %d–%d pending rows each, every pending row in exactly one job\n",
		c.Batches, c.Jobs, c.MinBatch, c.MaxBatch)
	if len(c.Problems) > 0 {
		b.failed = true
		fmt.Fprintf(b.stdout, "         CHECK FAILED:\n           %s\n", strings.Join(c.Problems, "\n           "))
	} else {
		fmt.Fprintln(b.stdout, "         check: every row's state and every duplicate's first row as generated: ok")
	}

	if export {
		start := time.Now()
		n, err := listbench.MarkDone(ctx, b.e, res.List.ID, true)
		if err != nil {
			return fmt.Errorf("export setup: %w", err)
		}
		fmt.Fprintf(b.stdout, "\nexport   setup (untimed): %s rows given a verdict by one UPDATE, then VACUUM (ANALYZE), in %.1fs\n",
			views.Thousands(int(n)), time.Since(start).Seconds())
		x, err := listbench.Export(ctx, b.e, res.List.ID)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		b.peak = max(b.peak, x.PeakRSS)
		fmt.Fprintf(b.stdout, "         %s rows (%.1f MB of CSV) streamed to io.Discard in %.2fs (%s rows/s)\n",
			views.Thousands(int(x.Rows)), listbench.MB(uint64(x.Bytes)), x.Duration.Seconds(), views.Thousands(int(x.RowsPerSec())))
		fmt.Fprintf(b.stdout, "         RSS %.0f MB before, %.0f MB after, peak (VmHWM) %.0f MB%s; Go heap %.1f MB before, at most %.1f MB during; load average %s\n",
			listbench.MB(x.RSSBefore), listbench.MB(x.RSSAfter), listbench.MB(x.PeakRSS), resetNote(x.ResetOK),
			listbench.MB(x.HeapBefore), listbench.MB(x.PeakHeap), loadAvg())
		// Streamed, the export holds a few buffers whatever the list's
		// size; held in memory, 1M rows would add ≥ 100 MB.
		flat := x.PeakHeap <= x.HeapBefore+16e6
		if b.rows == 1_000_000 {
			fmt.Fprintf(b.stdout, "         target ≤ 10 s: %s; flat memory (heap during export within 16 MB of before; VmHWM %+.0f MB over RSS at start): %s\n",
				b.check(x.Duration <= 10*time.Second), listbench.MB(x.PeakRSS)-listbench.MB(x.RSSBefore), b.check(flat))
		}
		if x.Rows != n {
			b.failed = true
			fmt.Fprintf(b.stdout, "         CHECK FAILED: exported %d rows of %d\n", x.Rows, n)
		}
	}
	// Nothing of this list is ever to be verified.
	if err := b.e.ForgetJobs(ctx); err != nil {
		return err
	}
	return nil
}
