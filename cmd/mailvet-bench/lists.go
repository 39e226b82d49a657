package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/db"
	"mailvet/lists"
	"mailvet/lists/listbench"
	"mailvet/verify/mailsim"
	"mailvet/views"
)

const benchListsUsage = `Usage: mailvet bench lists [--rows N] [--addresses N] [--phases ingest,export,e2e] [--seed N]

Measures bulk lists at scale, on the database at DATABASE_URL (migrated, and
with no worker running against it) or, when DATABASE_URL is not set, on a
throwaway database created on the local server (--admin-url) and dropped
afterwards.

  ingest  a generated CSV of --rows rows (first_name,last_name,email,company;
          every 10th row repeats an earlier address, half of those differing
          only in case), streamed through the list store as an upload: time to
          stored, de-duplicated and queued; the process's peak RSS (VmHWM).
          Checked row by row against what was generated.
  export  the same list with a verdict on every row (one UPDATE and a VACUUM,
          untimed) streamed as CSV to a byte counter: time, peak RSS, heap.
  e2e     the reference farm's --addresses addresses (simulated DNS and SMTP on
          loopback: 500 domains, 50 ms per reply, 5 connections per MX)
          uploaded as a list and verified by ONE list worker: time from upload
          to completed, addresses/s, every verdict checked against the farm.

Targets (1,000,000 rows): ingest ≤ 15 s and ≤ 200 MB; export ≤ 10 s, flat memory.
Exits 1 when a check of what was stored or verified fails.
`

func cmdBenchLists(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	fs := flag.NewFlagSet("bench lists", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, benchListsUsage); fs.PrintDefaults() }
	rows := fs.Int("rows", 1_000_000, "rows of the generated list (ingest, export)")
	addresses := fs.Int("addresses", 100_000, "addresses of the reference farm (e2e)")
	phases := fs.String("phases", "ingest,export,e2e", "which measurements to run (export needs ingest)")
	seed := fs.Int64("seed", 1, "generator and farm seed")
	adminURL := fs.String("admin-url", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
		"server to create the throwaway database on, when DATABASE_URL is not set")
	maxConns := fs.Int("engine-max-conns", 0, "e2e: the engine's global connection cap (0: the production default, 200)")
	timeout := fs.Duration("timeout", 30*time.Minute, "longest wait for the e2e list to complete")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	run := map[string]bool{}
	for p := range strings.SplitSeq(*phases, ",") {
		if p = strings.TrimSpace(p); !slices.Contains([]string{"ingest", "export", "e2e"}, p) {
			fmt.Fprintf(stderr, "unknown phase %q\n", p)
			return errUsage
		}
		run[p] = true
	}
	if run["export"] && !run["ingest"] || *rows < 1 || *addresses < 1 {
		fmt.Fprint(stderr, "export exports the ingested list: add ingest to --phases; --rows and --addresses must be positive\n")
		return errUsage
	}

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, where, drop, err := benchDatabase(ctx, env, *adminURL)
	if err != nil {
		return err
	}
	defer drop()
	fmt.Fprintf(stdout, "database: %s\nmachine: %d CPUs, GOMAXPROCS %d, load average %s\n", where, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())

	e, err := listbench.NewEnv(ctx, d, log, max(*rows, 1_000_000))
	if err != nil {
		return err
	}
	defer func() {
		if u, given := env("DATABASE_URL"); given && u != "" {
			fmt.Fprintln(stderr, "removing the bench tenant, its lists and jobs…")
			if err := e.Cleanup(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintf(stderr, "cleanup: %v\n", err)
			}
		}
	}()

	failed := false
	check := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "MISSED"
	}
	processPeak := uint64(0) // the largest VmHWM seen over the phases

	if run["ingest"] {
		g := listbench.NewGen(listbench.GenOptions{Rows: *rows, DupEvery: 10, Seed: uint64(*seed)})
		res, err := listbench.Ingest(ctx, e, g, "bench: generated contacts")
		if err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		processPeak = max(processPeak, res.PeakRSS)
		fmt.Fprintf(stdout, "\ningest   %s rows (%.1f MB of CSV) stored, de-duplicated and queued in %.2fs (%s rows/s)\n",
			views.Thousands(res.Rows), listbench.MB(uint64(res.Bytes)), res.Duration.Seconds(), views.Thousands(int(res.RowsPerSec())))
		fmt.Fprintf(stdout, "         peak RSS (VmHWM) %.0f MB%s, Go heap at most %.0f MB; load average %s\n",
			listbench.MB(res.PeakRSS), resetNote(res.ResetOK), listbench.MB(res.PeakHeap), loadAvg())
		if *rows == 1_000_000 {
			fmt.Fprintf(stdout, "         target ≤ 15 s: %s; ≤ 200 MB: %s\n",
				check(res.Duration <= 15*time.Second), check(res.PeakRSS <= 200e6))
		}
		c, err := listbench.CheckIngest(ctx, e, g, res.List.ID)
		if err != nil {
			return fmt.Errorf("ingest check: %w", err)
		}
		fmt.Fprintf(stdout, "         stored: total %s, unique %s, duplicates %s (generated %s, %s of them differing only in case), skipped %d\n",
			views.Thousands(c.Total), views.Thousands(c.Unique), views.Thousands(c.Duplicates), views.Thousands(g.Duplicates()), views.Thousands(c.CaseOnly), c.Skipped)
		fmt.Fprintf(stdout, "         queued: %d batches, %d River jobs, %d–%d pending rows each, every pending row in exactly one job\n",
			c.Batches, c.Jobs, c.MinBatch, c.MaxBatch)
		if len(c.Problems) > 0 {
			failed = true
			fmt.Fprintf(stdout, "         CHECK FAILED:\n           %s\n", strings.Join(c.Problems, "\n           "))
		} else {
			fmt.Fprintln(stdout, "         check: every row's state and every duplicate's first row as generated: ok")
		}

		if run["export"] {
			start := time.Now()
			n, err := listbench.MarkDone(ctx, e, res.List.ID, true)
			if err != nil {
				return fmt.Errorf("export setup: %w", err)
			}
			fmt.Fprintf(stdout, "\nexport   setup (untimed): %s rows given a verdict by one UPDATE, then VACUUM (ANALYZE), in %.1fs\n",
				views.Thousands(int(n)), time.Since(start).Seconds())
			x, err := listbench.Export(ctx, e, res.List.ID)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			processPeak = max(processPeak, x.PeakRSS)
			fmt.Fprintf(stdout, "         %s rows (%.1f MB of CSV) streamed to io.Discard in %.2fs (%s rows/s)\n",
				views.Thousands(int(x.Rows)), listbench.MB(uint64(x.Bytes)), x.Duration.Seconds(), views.Thousands(int(x.RowsPerSec())))
			fmt.Fprintf(stdout, "         RSS %.0f MB before, %.0f MB after, peak (VmHWM) %.0f MB%s; Go heap %.1f MB before, at most %.1f MB during; load average %s\n",
				listbench.MB(x.RSSBefore), listbench.MB(x.RSSAfter), listbench.MB(x.PeakRSS), resetNote(x.ResetOK),
				listbench.MB(x.HeapBefore), listbench.MB(x.PeakHeap), loadAvg())
			// Streamed, the export holds a few buffers whatever the list's
			// size; held in memory, 1M rows would add ≥ 100 MB.
			flat := x.PeakHeap <= x.HeapBefore+16e6
			if *rows == 1_000_000 {
				fmt.Fprintf(stdout, "         target ≤ 10 s: %s; flat memory (heap during export within 16 MB of before; VmHWM %+.0f MB over RSS at start): %s\n",
					check(x.Duration <= 10*time.Second), listbench.MB(x.PeakRSS)-listbench.MB(x.RSSBefore), check(flat))
			}
			if x.Rows != n {
				failed = true
				fmt.Fprintf(stdout, "         CHECK FAILED: exported %d rows of %d\n", x.Rows, n)
			}
		}
		// Nothing of this list is ever to be verified.
		if err := e.ForgetJobs(ctx); err != nil {
			return err
		}
	}

	if run["e2e"] {
		fmt.Fprintf(stdout, "\ne2e      building the reference farm (%s addresses) and starting its world…\n", views.Thousands(*addresses))
		r, err := listbench.EndToEnd(ctx, e, listbench.E2EOptions{
			Seed: *seed, Farm: mailsim.FarmOptions{Addresses: *addresses}, Timeout: *timeout, MaxConns: *maxConns,
			Progress: func(l lists.List, elapsed time.Duration) {
				if s := int(elapsed.Seconds()); s%10 == 0 {
					fmt.Fprintf(stderr, "e2e: %s/%s verified after %ds\n", views.Thousands(l.ProcessedRows), views.Thousands(l.UniqueRows), s)
				}
			},
		})
		if err != nil {
			return fmt.Errorf("e2e: %w", err)
		}
		processPeak = max(processPeak, r.PeakRSS)
		fmt.Fprintf(stdout, "         farm: %s addresses, %d domains, %d MX hosts, %s per reply, %d connections per MX\n",
			views.Thousands(r.Addresses), r.Domains, r.Hosts, r.Latency, r.MaxConnsPerMX)
		fmt.Fprintf(stdout, "         1 list worker: upload %.2fs, upload to list completed %.1fs = %s addresses/s\n",
			r.Upload.Seconds(), r.Duration.Seconds(), views.Thousands(int(r.Rate())))
		fmt.Fprintf(stdout, "         %d batches, %d River jobs (%d completed, %d attempts); verdicts: %d deliverable, %d undeliverable, %d risky, %d unknown\n",
			r.List.Batches, r.Jobs, r.JobsCompleted, r.JobAttempts, r.List.Deliverable, r.List.Undeliverable, r.List.Risky, r.List.Unknown)
		fmt.Fprintf(stdout, "         the worker: %.1fs inside jobs (%.0f ms per batch), %.1fs between jobs (%.0f ms per gap), first job %.2fs after the list was created\n",
			r.JobBusy.Seconds(), r.JobBusy.Seconds()*1000/float64(max(r.Jobs, 1)), r.JobGaps.Seconds(),
			r.JobGaps.Seconds()*1000/float64(max(r.Jobs-1, 1)), r.FirstJobWait.Seconds())
		fmt.Fprintf(stdout, "         inside jobs: %.1fs in the engine (VerifyBatch), %.1fs in cache lookups, %.1fs in the processor's other database work\n",
			r.EngineTime.Seconds(), r.CacheTime.Seconds(), (r.JobBusy - r.EngineTime - r.CacheTime).Seconds())
		fmt.Fprintf(stdout, "         peak RSS (VmHWM, farm and world included) %.0f MB%s; load average %s\n",
			listbench.MB(r.PeakRSS), resetNote(r.ResetOK), loadAvg())
		if r.Matched == r.Addresses && r.JobsCompleted == r.Jobs {
			fmt.Fprintf(stdout, "         check: %s/%s rows have exactly one verdict, the farm's expectation: ok\n", views.Thousands(r.Matched), views.Thousands(r.Addresses))
		} else {
			failed = true
			fmt.Fprintf(stdout, "         CHECK FAILED: %s/%s verdicts as expected, %d/%d jobs completed\n           %s\n           %s\n",
				views.Thousands(r.Matched), views.Thousands(r.Addresses), r.JobsCompleted, r.Jobs,
				strings.Join(r.MismatchSummary(), "\n           "), strings.Join(r.Examples, "\n           "))
		}
	}
	fmt.Fprintf(stdout, "\nprocess peak RSS (VmHWM, largest of the phases): %.0f MB\n", listbench.MB(max(processPeak, listbench.PeakRSS())))
	if failed {
		return errors.New("a check failed (see above)")
	}
	return nil
}

// benchDatabase opens DATABASE_URL, which must be migrated, or creates a
// migrated throwaway database on the server at adminURL; drop removes the
// throwaway database (and only it).
func benchDatabase(ctx context.Context, env func(string) (string, bool), adminURL string) (*db.DB, string, func(), error) {
	if u, ok := env("DATABASE_URL"); ok && u != "" {
		d, err := db.Open(ctx, u, db.Options{MaxConns: 20})
		if err != nil {
			return nil, "", nil, err
		}
		if pending, err := d.PendingMigrations(ctx); err != nil || pending > 0 {
			d.Close()
			return nil, "", nil, fmt.Errorf("DATABASE_URL is not migrated (%d pending, %v): run `mailvet migrate` first", pending, err)
		}
		return d, "DATABASE_URL (" + redactURL(u) + "); the bench tenant is deleted afterwards", d.Close, nil
	}
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, "", nil, fmt.Errorf("connect to %s to create a throwaway database (or set DATABASE_URL): %w", redactURL(adminURL), err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "mailvet_bench_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, "", nil, fmt.Errorf("create throwaway database: %w", err)
	}
	dropDB := func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		conn, err := pgx.Connect(ctx, adminURL)
		if err == nil {
			defer conn.Close(ctx)
			_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "drop throwaway database %s: %v\n", name, err)
		}
	}
	u, err := url.Parse(adminURL)
	if err != nil {
		dropDB()
		return nil, "", nil, err
	}
	u.Path = "/" + name
	d, err := db.Open(ctx, u.String(), db.Options{MaxConns: 20})
	if err != nil {
		dropDB()
		return nil, "", nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		dropDB()
		return nil, "", nil, fmt.Errorf("migrate throwaway database: %w", err)
	}
	return d, "throwaway " + name + " on " + u.Host + " (dropped afterwards)", func() { d.Close(); dropDB() }, nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

func resetNote(ok bool) string {
	if ok {
		return ""
	}
	return " (since process start: VmHWM could not be reset)"
}

// loadAvg is the 1-minute load average: other work on the machine skews
// the timings.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// commas writes 1234567 as 1,234,567.
