package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"mailvet/cmd/mailvet-bench/listbench"
	"mailvet/db/dbtest"
	"mailvet/verify"
)

const listsUsage = `Usage: mailvet-bench lists [--rows N] [--addresses N] [--phases ingest,export,e2e] [--seed N]

Measures bulk lists at scale, as the service runs them (stores built by the
same wiring, queries as the service's role under row-level security), on
the database at DATABASE_URL (migrated, with MAILVET_DB_ROLE as for serve,
and with no worker running against it) or, when DATABASE_URL is not set,
on a throwaway database created on the local server (--admin-url) and
dropped afterwards.

  ingest  a generated CSV of --rows rows (first_name,last_name,email,company;
          every 10th row repeats an earlier address, half of those differing
          only in case), streamed through the list store as an upload: time to
          stored, de-duplicated and queued; the process's peak RSS (VmHWM).
          Checked row by row against what was generated.
  export  the same list with a verdict on every row (one UPDATE and a VACUUM,
          untimed) streamed as CSV to a byte counter: time, peak RSS, heap.
  e2e     the reference farm's --addresses addresses (simulated DNS and SMTP on
          loopback: 500 domains, 50 ms per reply, 5 connections per MX), first
          through ` + "`mailvet check --json`" + ` (the engine alone), then uploaded as
          a list and verified by the list workers of a serve process
          (MAILVET_LIST_WORKERS): both rates, time from upload to completed, the
          ratio (target ≥ 50 %), every verdict checked against the farm, and
          where the workers' time went.
  serve   the same comparison through a real serve process (this binary runs
          ` + "`mailvet serve`" + ` as a child on the database): the farm's addresses
          uploaded as a CSV to POST /v1/lists with a live key, polled until
          completed; the serve process's own peak RSS (the farm and the world
          stay in this process); with --small, another tenant's list uploaded
          once the big one is a tenth done, timed to completed (fairness).

Targets (1,000,000 rows): ingest ≤ 15 s and ≤ 200 MB; export ≤ 10 s, flat memory.
Exits 1 when a check of what was stored or verified fails.
`

// listsBench is one `mailvet-bench lists` run: its settings, where it
// writes, and what it found so far.
type listsBench struct {
	stdout, stderr io.Writer
	e              *listbench.Env

	rows, addresses, maxConns, small, workProcesses int
	seed                                            int64
	timeout, latency                                time.Duration

	failed bool   // a check of what was stored or verified failed
	peak   uint64 // the largest VmHWM seen over the phases
}

func cmdLists(ctx context.Context, args []string, stdout, stderr io.Writer, lookup env) error {
	b := &listsBench{stdout: stdout, stderr: stderr}
	fs := flag.NewFlagSet("lists", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, listsUsage); fs.PrintDefaults() }
	fs.IntVar(&b.rows, "rows", 1_000_000, "rows of the generated list (ingest, export)")
	fs.IntVar(&b.addresses, "addresses", 100_000, "addresses of the reference farm (e2e)")
	phases := fs.String("phases", "ingest,export,e2e", "which measurements to run: ingest, export (needs ingest), e2e, serve")
	fs.IntVar(&b.workProcesses, "work-processes", 0, "serve: `mailvet work` processes started beside serve, sharing its per-MX cap")
	fs.IntVar(&b.small, "small", 100, "serve: rows of another tenant's list uploaded once the big list is a tenth done (0: none)")
	fs.Int64Var(&b.seed, "seed", 1, "generator and farm seed")
	adminURL := fs.String("admin-url", dbtest.AdminURL(),
		"server to create the throwaway database on, when DATABASE_URL is not set (default: TEST_DATABASE_URL, else the local server)")
	fs.IntVar(&b.maxConns, "engine-max-conns", 0,
		fmt.Sprintf("e2e: the engine's global connection cap (0: the production default, %d)", verify.DefaultConfig().MaxConns))
	fs.DurationVar(&b.timeout, "timeout", 30*time.Minute, "longest wait for the e2e list to complete")
	fs.DurationVar(&b.latency, "farm-latency", 0, "e2e, serve: the farm's reply latency (0: the reference 50ms); a longer one bounds the list by its MX connections, not the machine's CPU")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	run := map[string]bool{}
	for p := range strings.SplitSeq(*phases, ",") {
		if p = strings.TrimSpace(p); !slices.Contains([]string{"ingest", "export", "e2e", "serve"}, p) {
			fmt.Fprintf(stderr, "unknown phase %q\n", p)
			return errUsage
		}
		run[p] = true
	}
	if run["export"] && !run["ingest"] || b.rows < 1 || b.addresses < 1 {
		fmt.Fprint(stderr, "export exports the ingested list: add ingest to --phases; --rows and --addresses must be positive\n")
		return errUsage
	}

	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bd, err := openBenchDB(ctx, lookup, *adminURL)
	if err != nil {
		return err
	}
	defer bd.close(stderr)
	fmt.Fprintf(stdout, "database: %s\nmachine: %d CPUs, GOMAXPROCS %d, load average %s\n", bd.where, runtime.NumCPU(), runtime.GOMAXPROCS(0), loadAvg())

	if b.e, err = listbench.NewEnv(ctx, bd.db, bd.ownerURL, log, max(b.rows, 1_000_000)); err != nil {
		return err
	}
	defer b.e.Close()
	if bd.shared {
		defer func() {
			fmt.Fprintln(stderr, "removing the bench tenant, its lists and jobs…")
			if err := b.e.Cleanup(context.WithoutCancel(ctx)); err != nil {
				fmt.Fprintf(stderr, "cleanup: %v\n", err)
			}
		}()
	}

	if run["ingest"] {
		if err := b.ingest(ctx, run["export"]); err != nil {
			return err
		}
	}
	if run["e2e"] {
		if err := b.e2e(ctx); err != nil {
			return err
		}
	}
	if run["serve"] {
		if err := b.serve(ctx, bd); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "\nprocess peak RSS (VmHWM, largest of the phases): %.0f MB\n", listbench.MB(max(b.peak, listbench.PeakRSS())))
	if b.failed {
		return errors.New("a check failed (see above)")
	}
	return nil
}

func (b *listsBench) check(ok bool) string {
	if ok {
		return "ok"
	}
	return "MISSED"
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
