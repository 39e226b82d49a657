package listbench

import (
	"context"
	"database/sql"
	"fmt"
	"runtime/debug"
	"sort"
	"time"

	"mailvet/db"
	"mailvet/lists"
	"mailvet/verify"
	"mailvet/verify/mailsim"
	"mailvet/wiring"
)

// E2EOptions describe an end-to-end run on the reference farm.
type E2EOptions struct {
	Seed int64
	Farm mailsim.FarmOptions // Addresses: the list's size (default 100,000)
	// MaxConns overrides the engine's global connection cap (0: the
	// production default, verify.DefaultConfig's).
	MaxConns int
	// Timeout bounds the wait for the list to complete (default 30 min).
	Timeout time.Duration
	// Progress, when set, is called about every second while the list runs.
	Progress func(l lists.List, elapsed time.Duration)
}

// E2EResult is the farm's addresses verified by `mailvet check --json`,
// then as one list by a serve process's list workers.
type E2EResult struct {
	Check       CheckResult
	ListWorkers int

	Addresses, Domains, Hosts int
	Latency                   time.Duration
	MaxConnsPerMX             int

	Upload   time.Duration // Store.Create
	Duration time.Duration // upload start to list completed
	List     lists.List

	Matched    int            // rows whose one verdict is the farm's expectation
	Mismatches map[string]int // "exists → risky/catch_all": count
	Examples   []string       // a few mismatched rows

	Jobs, JobsCompleted, JobAttempts int // River jobs of the list; attempts summed
	// From River's timestamps: time inside jobs (attempted → finalized,
	// summed), time between one job's end and the next one's start
	// (summed), and from the upload's commit to the first job's start.
	JobBusy, JobGaps, FirstJobWait time.Duration
	// Inside jobs: time in the engine's VerifyBatch and in the cache
	// lookup (CachedMany); the rest is the processor's own database work.
	EngineTime, CacheTime time.Duration
	PeakRSS               uint64
	ResetOK               bool
}

// Rate is addresses verified per second, upload included.
func (r E2EResult) Rate() float64 { return float64(r.Addresses) / r.Duration.Seconds() }

// EndToEnd builds the reference farm and starts its world; runs the CLI's
// `check --json` over the farm's addresses (the engine alone: the rate a
// list is held to); then starts the list workers a serve process runs (a
// River client with the lists processor, its own engine pointed at the
// world), uploads the same addresses as a CSV list and waits for the list
// to complete. Every verdict of both is checked against what the farm
// built.
//
// The worker runs whatever is queued in the database, so EndToEnd refuses
// to start when jobs other than its own are waiting (refuseWaitingJobs).
func EndToEnd(ctx context.Context, e *Env, o E2EOptions) (E2EResult, error) {
	if o.Farm.Addresses <= 0 {
		o.Farm.Addresses = 100_000
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Minute
	}
	var res E2EResult
	if err := e.refuseWaitingJobs(ctx); err != nil {
		return res, err
	}

	debug.FreeOSMemory() // start from what the process really holds, so VmHWM shows this run
	res.ResetOK = ResetPeakRSS()
	farm := mailsim.ReferenceFarm(o.Seed, o.Farm)
	world, err := mailsim.New(ctx, farm.Config())
	if err != nil {
		return res, err
	}
	defer world.Close()
	res.Addresses, res.Domains, res.Hosts = len(farm.Addresses), len(farm.Domains), len(farm.Hosts)
	res.Latency, res.MaxConnsPerMX = farm.Hosts[0].Latency, farm.Hosts[0].MaxConns
	if res.Check, err = checkFarm(ctx, farm, world); err != nil {
		return res, err
	}

	// The services again, as a serve process builds them (its list
	// workers), on an engine of their own pointed at the world.
	cfg := e.Services.Config
	cfg.DNSServer, cfg.SMTPPort = world.DNSAddr(), world.SMTPPort()
	cfg.DNSCanaries = []string{farm.Domains[0].Name} // the default names real providers, unknown to the world
	res.ListWorkers = cfg.ListWorkers
	vc := wiring.EngineConfig(cfg)
	if o.MaxConns > 0 {
		vc.MaxConns = o.MaxConns
	}
	engine, err := verify.New(vc)
	if err != nil {
		return res, err
	}
	defer engine.Close()
	svc, err := wiring.Build(cfg, e.Log, e.DB, engine)
	if err != nil {
		return res, err
	}
	// The processor is wired by hand only to time its engine and cache.
	timedEng, timedCache := &timedEngine{Engine: engine}, &timedCache{Cache: svc.Verifications}
	proc := lists.NewProcessor(e.Store, timedEng, svc.Rules, timedCache, svc.Tenants.BatchPolicy)
	worker, err := svc.Worker(noMail{}, proc)
	if err != nil {
		return res, err
	}
	if err := worker.Start(ctx); err != nil {
		return res, err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = worker.Stop(stopCtx)
	}()

	g := NewGen(GenOptions{Rows: len(farm.Addresses), Email: func(b []byte, k int) []byte {
		return append(b, farm.Addresses[k].Email...)
	}})
	start := time.Now()
	l, _, err := e.Store.Create(ctx, lists.NewList{TenantID: e.TenantID, By: e.By, Name: "bench: reference farm", File: g})
	res.Upload = time.Since(start)
	if err != nil {
		return res, err
	}
	if l.UniqueRows != len(farm.Addresses) {
		return res, fmt.Errorf("uploaded %d addresses, the list holds %d unique rows", len(farm.Addresses), l.UniqueRows)
	}
	deadline := time.NewTimer(o.Timeout)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	lastReport := start
	for !l.Finished() {
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-deadline.C:
			return res, fmt.Errorf("list not completed after %s: %d of %d rows verified", o.Timeout, l.ProcessedRows, l.UniqueRows)
		case <-tick.C:
		}
		if l, err = e.Store.Get(ctx, e.TenantID, l.ID, e.By); err != nil {
			return res, err
		}
		if o.Progress != nil && time.Since(lastReport) >= time.Second {
			lastReport = time.Now()
			o.Progress(l, time.Since(start))
		}
	}
	res.Duration = time.Since(start)
	res.EngineTime, res.CacheTime = time.Duration(timedEng.d.Load()), time.Duration(timedCache.d.Load())
	res.PeakRSS = PeakRSS()
	res.List = l
	if l.Status != lists.StatusCompleted {
		return res, fmt.Errorf("list ended %s", l.Status)
	}
	return res, checkVerdicts(ctx, e, &res, farm)
}

// refuseWaitingJobs refuses a database where River jobs other than the
// bench's own wait: the bench's workers would run them against the
// simulated world.
func (e *Env) refuseWaitingJobs(ctx context.Context) error {
	var waiting int
	if err := e.DB.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`).Scan(&waiting); err != nil {
		return err
	}
	if waiting > 0 {
		return fmt.Errorf("%d River jobs are waiting in this database: a bench worker would run them against the simulated world (use a database of its own)", waiting)
	}
	return nil
}

// checkVerdicts compares every row of the list, in upload order, with the
// farm's address at that position.
func checkVerdicts(ctx context.Context, e *Env, res *E2EResult, farm mailsim.Farm) error {
	return e.DB.Tx(ctx, db.Tenant(e.TenantID).Snapshot(), func(ctx context.Context, tx db.Tx) error {
		return checkVerdictsIn(ctx, tx.Tx.Tx, e, res, farm)
	})
}

// checkVerdictsIn is checkVerdicts in the tenant's transaction q (plain
// SQL with bind parameters: the bench's own statements, not a store's).
func checkVerdictsIn(ctx context.Context, q *sql.Tx, e *Env, res *E2EResult, farm mailsim.Farm) error {
	res.Mismatches = map[string]int{}
	rows, err := q.QueryContext(ctx, `SELECT row_no, email, state, coalesce(status, ''), coalesce(reason, ''), coalesce(catch_all, false)
		FROM list_rows WHERE tenant_id = $1 AND list_id = $2 ORDER BY row_no`, e.TenantID, res.List.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var rowNo int
		var email, state, status, reason string
		var catchAll bool
		if err := rows.Scan(&rowNo, &email, &state, &status, &reason, &catchAll); err != nil {
			return err
		}
		n++
		if rowNo != n || n > len(farm.Addresses) || email != farm.Addresses[n-1].Email {
			return fmt.Errorf("row %d holds %q: rows do not follow the upload", rowNo, email)
		}
		want := farm.Addresses[n-1].Expect
		if state == "done" && verdictMatches(want, verify.Status(status), verify.Reason(reason), catchAll) {
			res.Matched++
			continue
		}
		got := state
		if state == "done" {
			got = status + "/" + reason
		}
		key := want.String() + " → " + got
		res.Mismatches[key]++
		if len(res.Examples) < 5 {
			res.Examples = append(res.Examples, fmt.Sprintf("row %d %s: expected %s, got %s", rowNo, email, want, got))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if n != len(farm.Addresses) {
		return fmt.Errorf("the list holds %d rows for %d addresses", n, len(farm.Addresses))
	}
	var busy, gaps, first float64
	err = q.QueryRowContext(ctx, `WITH j AS (
			SELECT state, attempt, attempted_at, finalized_at, lag(finalized_at) OVER (ORDER BY attempted_at) AS prev_end
			FROM river_job WHERE kind = $1 AND args->>'list_id' = $2)
		SELECT count(*), count(*) FILTER (WHERE state = 'completed'), coalesce(sum(attempt), 0),
			coalesce(extract(epoch FROM sum(finalized_at - attempted_at)), 0),
			coalesce(extract(epoch FROM sum(greatest(attempted_at - prev_end, '0'::interval))), 0),
			coalesce(extract(epoch FROM min(attempted_at) - (SELECT created_at FROM lists WHERE id = $3)), 0)
		FROM j`, lists.VerifyBatchArgs{}.Kind(), res.List.ID.String(), res.List.ID).
		Scan(&res.Jobs, &res.JobsCompleted, &res.JobAttempts, &busy, &gaps, &first)
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	res.JobBusy, res.JobGaps, res.FirstJobWait = sec(busy), sec(gaps), sec(first)
	return err
}

// verdictMatches is the farm's expectation: an existing mailbox is
// deliverable, an unknown one undeliverable (rejected), an address at a
// catch-all domain risky (catch_all).
func verdictMatches(want mailsim.Outcome, status verify.Status, reason verify.Reason, catchAll bool) bool {
	switch want {
	case mailsim.OutcomeExists:
		return status == verify.Deliverable
	case mailsim.OutcomeUnknown:
		return status == verify.Undeliverable && reason == verify.ReasonRejected
	case mailsim.OutcomeCatchAll:
		return status == verify.Risky && reason == verify.ReasonCatchAll && catchAll
	}
	return false
}

// MismatchSummary lists the mismatch kinds, most frequent first.
func (r E2EResult) MismatchSummary() []string {
	keys := make([]string, 0, len(r.Mismatches))
	for k := range r.Mismatches {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return r.Mismatches[keys[i]] > r.Mismatches[keys[j]] })
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%d × %s", r.Mismatches[k], k)
	}
	return out
}
