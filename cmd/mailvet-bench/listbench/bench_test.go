package listbench_test

import (
	"context"
	"strings"
	"testing"

	"mailvet/cmd/mailvet-bench/listbench"
	"mailvet/db/dbtest"
	"mailvet/verify/mailsim"
)

// Benchmarks at production scale. They only run with -bench, e.g.
//
//	go test -run '^$' -bench 'Ingest1M|Export1M' -benchtime 1x ./cmd/mailvet-bench/listbench/
//
// (`go tool task bench:lists` runs the same measurements as a command). Each
// reports rows/s and peak_rss_MB: the process's VmHWM, reset before each
// measured run where the kernel allows (/proc/self/clear_refs).

const million = 1_000_000

func benchEnv(b *testing.B) *listbench.Env {
	b.Helper()
	d, ownerURL := dbtest.NewWithURL(b)
	e, err := listbench.NewEnv(context.Background(), d, ownerURL, nil, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Close)
	return e
}

func contacts() *listbench.Gen {
	return listbench.NewGen(listbench.GenOptions{Rows: million, DupEvery: 10, Seed: 1})
}

// BenchmarkIngest1M uploads a generated 1,000,000-row CSV (4 columns, 10%
// duplicate addresses, half of those differing only in case) through
// Store.Create with an insert-only River client: stored, de-duplicated and
// queued. Each run is checked against what was generated (untimed), then
// the list is removed.
func BenchmarkIngest1M(b *testing.B) {
	ctx := context.Background()
	e := benchEnv(b)
	var rows, secs float64
	var peak uint64
	b.ResetTimer()
	for range b.N {
		g := contacts()
		res, err := listbench.Ingest(ctx, e, g, "bench: 1M contacts")
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		rows += float64(res.Rows)
		secs += res.Duration.Seconds()
		peak = max(peak, res.PeakRSS)
		c, err := listbench.CheckIngest(ctx, e, g, res.List.ID)
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Problems) > 0 {
			b.Fatalf("ingest stored the list wrong:\n%s", strings.Join(c.Problems, "\n"))
		}
		b.Logf("%d rows (%.1f MB) in %s: %d unique, %d duplicates (%d case-only), %d batches = %d jobs; peak RSS %.0f MB, heap %.0f MB",
			res.Rows, listbench.MB(uint64(res.Bytes)), res.Duration.Round(1e6), c.Unique, c.Duplicates, c.CaseOnly, c.Batches, c.Jobs,
			listbench.MB(res.PeakRSS), listbench.MB(res.PeakHeap))
		if err := e.DeleteLists(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(rows/secs, "rows/s")
	b.ReportMetric(listbench.MB(peak), "peak_rss_MB")
}

// BenchmarkExport1M streams the verdicts of a 1,000,000-row list through
// Store.Export to a byte counter. Setup, untimed: the generated list is
// ingested, every row is given a verdict with one UPDATE, the table is
// vacuumed and analysed.
func BenchmarkExport1M(b *testing.B) {
	ctx := context.Background()
	e := benchEnv(b)
	res, err := listbench.Ingest(ctx, e, contacts(), "bench: 1M verdicts")
	if err != nil {
		b.Fatal(err)
	}
	if n, err := listbench.MarkDone(ctx, e, res.List.ID, true); err != nil || n != million {
		b.Fatalf("marked %d rows done: %v", n, err)
	}
	var rows, secs float64
	var peak, heap uint64
	b.ResetTimer()
	for range b.N {
		r, err := listbench.Export(ctx, e, res.List.ID)
		if err != nil {
			b.Fatal(err)
		}
		if r.Rows != million {
			b.Fatalf("exported %d rows, want %d", r.Rows, million)
		}
		rows += float64(r.Rows)
		secs += r.Duration.Seconds()
		peak, heap = max(peak, r.PeakRSS), max(heap, r.PeakHeap)
		b.Logf("%d rows (%.1f MB) in %s; RSS %.0f → %.0f MB, peak %.0f MB; heap %.1f MB before, at most %.1f MB during",
			r.Rows, listbench.MB(uint64(r.Bytes)), r.Duration.Round(1e6), listbench.MB(r.RSSBefore), listbench.MB(r.RSSAfter),
			listbench.MB(r.PeakRSS), listbench.MB(r.HeapBefore), listbench.MB(r.PeakHeap))
	}
	b.ReportMetric(rows/secs, "rows/s")
	b.ReportMetric(listbench.MB(peak), "peak_rss_MB")
	b.ReportMetric(listbench.MB(heap), "peak_heap_MB")
}

// BenchmarkEndToEnd100k verifies the reference farm's 100,000 addresses
// (500 domains, 50 ms per SMTP reply, 5 connections per MX) as one list
// with ONE list worker, from upload to list completed, and checks that
// every row has the verdict the farm expects.
func BenchmarkEndToEnd100k(b *testing.B) {
	ctx := context.Background()
	var rows, secs float64
	var peak uint64
	for range b.N {
		b.StopTimer()
		e := benchEnv(b)
		b.StartTimer()
		r, err := listbench.EndToEnd(ctx, e, listbench.E2EOptions{Seed: 1, Farm: mailsim.FarmOptions{Addresses: 100_000}})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if r.Matched != r.Addresses {
			b.Fatalf("%d of %d verdicts as the farm expects: %v\n%s", r.Matched, r.Addresses, r.MismatchSummary(), strings.Join(r.Examples, "\n"))
		}
		rows += float64(r.Addresses)
		secs += r.Duration.Seconds()
		peak = max(peak, r.PeakRSS)
		b.Logf("%d addresses in %s (upload %s), %d jobs, %d attempts; inside jobs %s (engine %s, cache lookups %s), between jobs %s; peak RSS %.0f MB",
			r.Addresses, r.Duration.Round(1e6), r.Upload.Round(1e6), r.Jobs, r.JobAttempts, r.JobBusy.Round(1e6),
			r.EngineTime.Round(1e6), r.CacheTime.Round(1e6), r.JobGaps.Round(1e6), listbench.MB(r.PeakRSS))
		b.StartTimer()
	}
	b.ReportMetric(rows/secs, "addr/s")
	b.ReportMetric(listbench.MB(peak), "peak_rss_MB")
}
