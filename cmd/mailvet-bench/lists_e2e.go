package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"mailvet/cmd/mailvet-bench/listbench"
	"mailvet/lists"
	"mailvet/verify/mailsim"
	"mailvet/views"
)

// e2e verifies the reference farm's addresses as one list with one list
// worker and checks every verdict against the farm.
func (b *listsBench) e2e(ctx context.Context) error {
	fmt.Fprintf(b.stdout, "\ne2e      building the reference farm (%s addresses) and starting its world…\n", views.Thousands(b.addresses))
	r, err := listbench.EndToEnd(ctx, b.e, listbench.E2EOptions{
		Seed: b.seed, Farm: mailsim.FarmOptions{Addresses: b.addresses, Latency: b.latency}, Timeout: b.timeout, MaxConns: b.maxConns,
		Progress: func(l lists.List, elapsed time.Duration) {
			if s := int(elapsed.Seconds()); s%10 == 0 {
				fmt.Fprintf(b.stderr, "e2e: %s/%s verified after %ds\n", views.Thousands(l.ProcessedRows), views.Thousands(l.UniqueRows), s)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("e2e: %w", err)
	}
	b.peak = max(b.peak, r.PeakRSS)
	fmt.Fprintf(b.stdout, "         farm: %s addresses, %d domains, %d MX hosts, %s per reply, %d connections per MX\n",
		views.Thousands(r.Addresses), r.Domains, r.Hosts, r.Latency, r.MaxConnsPerMX)
	checkRate := r.Check.Rate(r.Addresses)
	fmt.Fprintf(b.stdout, "         mailvet check --json: %.1fs = %s addresses/s (%s/%s verdicts as expected)\n",
		r.Check.Duration.Seconds(), views.Thousands(int(checkRate)), views.Thousands(r.Check.Matched), views.Thousands(r.Addresses))
	fmt.Fprintf(b.stdout, "         list, %d list workers: upload %.2fs, upload to list completed %.1fs = %s addresses/s\n",
		r.ListWorkers, r.Upload.Seconds(), r.Duration.Seconds(), views.Thousands(int(r.Rate())))
	fmt.Fprintf(b.stdout, "         list / check: %.0f %% (target ≥ 50 %%)\n", 100*r.Rate()/checkRate)
	if r.Check.Matched != r.Addresses {
		b.failed = true
		fmt.Fprintf(b.stdout, "         CHECK FAILED: mailvet check gave %s/%s verdicts as expected\n", views.Thousands(r.Check.Matched), views.Thousands(r.Addresses))
	}
	fmt.Fprintf(b.stdout, "         %d batches, %d River jobs (%d completed, %d attempts); verdicts: %d deliverable, %d undeliverable, %d risky, %d unknown\n",
		r.List.Batches, r.Jobs, r.JobsCompleted, r.JobAttempts, r.List.Deliverable, r.List.Undeliverable, r.List.Risky, r.List.Unknown)
	fmt.Fprintf(b.stdout, "         the workers: %.1fs inside jobs (%.0f ms per batch), %.1fs between jobs (%.0f ms per gap), first job %.2fs after the list was created\n",
		r.JobBusy.Seconds(), r.JobBusy.Seconds()*1000/float64(max(r.Jobs, 1)), r.JobGaps.Seconds(),
		r.JobGaps.Seconds()*1000/float64(max(r.Jobs-1, 1)), r.FirstJobWait.Seconds())
	fmt.Fprintf(b.stdout, "         inside jobs: %.1fs in the engine (VerifyBatch), %.1fs in cache lookups, %.1fs in the processor's other database work\n",
		r.EngineTime.Seconds(), r.CacheTime.Seconds(), (r.JobBusy - r.EngineTime - r.CacheTime).Seconds())
	fmt.Fprintf(b.stdout, "         peak RSS (VmHWM, farm and world included) %.0f MB%s; load average %s\n",
		listbench.MB(r.PeakRSS), resetNote(r.ResetOK), loadAvg())
	if r.Matched == r.Addresses && r.JobsCompleted == r.Jobs {
		fmt.Fprintf(b.stdout, "         check: %s/%s rows have exactly one verdict, the farm's expectation: ok\n", views.Thousands(r.Matched), views.Thousands(r.Addresses))
	} else {
		b.failed = true
		fmt.Fprintf(b.stdout, "         CHECK FAILED: %s/%s verdicts as expected, %d/%d jobs completed\n           %s\n           %s\n",
			views.Thousands(r.Matched), views.Thousands(r.Addresses), r.JobsCompleted, r.Jobs,
			strings.Join(r.MismatchSummary(), "\n           "), strings.Join(r.Examples, "\n           "))
	}
	return nil
}

// serveChild is the hidden subcommand the serve phase starts this binary
// with: `mailvet serve`.
const serveChild = "serve-child"

// serve runs the farm through a real serve process (listbench.ServeEndToEnd).
func (b *listsBench) serve(ctx context.Context, bd *benchDB) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Fprintf(b.stdout, "\nserve    building the reference farm (%s addresses), starting its world and a serve process…\n", views.Thousands(b.addresses))
	r, err := listbench.ServeEndToEnd(ctx, b.e, listbench.ServeOptions{
		Seed: b.seed, Farm: mailsim.FarmOptions{Addresses: b.addresses, Latency: b.latency}, Timeout: b.timeout, Small: b.small,
		Command: []string{exe, serveChild}, DatabaseURL: bd.ownerURL, DBRole: bd.role, WorkProcesses: b.workProcesses,
		Progress: func(processed, unique int, elapsed time.Duration) {
			if s := int(elapsed.Seconds()); s%10 == 0 {
				fmt.Fprintf(b.stderr, "serve: %s/%s verified after %ds\n", views.Thousands(processed), views.Thousands(unique), s)
			}
		},
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	checkRate := r.Check.Rate(r.Addresses)
	fmt.Fprintf(b.stdout, "         farm: %s addresses, %d domains, %d MX hosts\n", views.Thousands(r.Addresses), r.Domains, r.Hosts)
	fmt.Fprintf(b.stdout, "         mailvet check --json: %.1fs = %s addresses/s (%s/%s verdicts as expected)\n",
		r.Check.Duration.Seconds(), views.Thousands(int(checkRate)), views.Thousands(r.Check.Matched), views.Thousands(r.Addresses))
	fmt.Fprintf(b.stdout, "         mailvet serve, POST /v1/lists: upload %.2fs, upload to completed %.1fs = %s addresses/s\n",
		r.Upload.Seconds(), r.Duration.Seconds(), views.Thousands(int(r.Rate())))
	fmt.Fprintf(b.stdout, "         list / check: %.0f %% (target ≥ 50 %%); serve's peak RSS (VmHWM) %.0f MB (target ≤ 300 MB at 1,000,000)\n",
		100*r.Rate()/checkRate, listbench.MB(r.PeakRSS))
	fmt.Fprintf(b.stdout, "         %d work process(es) beside serve; the most connections one MX saw at once: %d (cap %d per MX, shared); %d connections in all\n",
		b.workProcesses, r.PeakPerMX, r.MaxConnsPerMX, r.Connections)
	if r.SmallDuration > 0 {
		fmt.Fprintf(b.stdout, "         another tenant's %d-row list, uploaded while it ran: completed in %.2fs\n", b.small, r.SmallDuration.Seconds())
	}
	if r.Matched != r.Addresses || r.Check.Matched != r.Addresses {
		b.failed = true
		fmt.Fprintf(b.stdout, "         CHECK FAILED: list %s/%s, check %s/%s verdicts as expected\n", views.Thousands(r.Matched),
			views.Thousands(r.Addresses), views.Thousands(r.Check.Matched), views.Thousands(r.Addresses))
	} else {
		fmt.Fprintf(b.stdout, "         check: every verdict of both is the farm's expectation: ok\n")
	}
	return nil
}
