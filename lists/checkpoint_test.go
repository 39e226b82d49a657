package lists_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"mailvet/lists"
	"mailvet/verify"
	"mailvet/verify/address"
	"mailvet/verify/mailsim"
)

// slowEngine answers one address per tick. When its context ends it
// answers the rest at once with whatever it has, as a real engine cut off
// mid-conversation does: those answers are not verdicts.
type slowEngine struct {
	per   time.Duration
	after verify.Status // what it says about the addresses it was cut off on
}

func (s slowEngine) VerifyBatch(ctx context.Context, emails []string, _ verify.Share, emit func(int, verify.Result)) {
	for i, e := range emails {
		select {
		case <-ctx.Done():
			for j := i; j < len(emails); j++ {
				r := verdict(emails[j], s.after)
				r.Reason, r.RetryAfterSeconds = verify.ReasonTimeout, 60
				emit(j, r)
			}
			return
		case <-time.After(s.per):
		}
		emit(i, verdict(e, verify.Deliverable))
	}
}

func verdict(email string, st verify.Status) verify.Result {
	a, _ := address.Parse(email)
	return verify.Result{Email: email, Normalized: a.Normalized, Domain: a.Domain, Status: st, Reason: verify.ReasonAccepted, Score: 90, CheckedAt: time.Now().UTC()}
}

// runBatch runs one batch the way its job does, each run with timeout as
// its deadline, until it is done; it returns how many runs it took and
// how often the job was completed.
func runBatch(t *testing.T, proc *lists.Processor, args lists.VerifyBatchArgs, timeout time.Duration) (runs, completed int) {
	t.Helper()
	complete := func(context.Context, *sql.Tx) error { completed++; return nil }
	for runs < 50 {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		next, err := proc.Process(ctx, args, complete)
		cancel()
		if err != nil {
			t.Fatalf("run %d: %v", runs+1, err)
		}
		runs++
		if next.Done {
			return runs, completed
		}
		if next.After != 0 {
			t.Fatalf("run %d: a run cut short waits %s before it goes on", runs, next.After)
		}
	}
	t.Fatalf("batch not done after %d runs", runs)
	return
}

// A batch that needs longer than its timeout writes what it answered
// before the deadline and goes on from there at once: every row is
// verified exactly once, counted once, and the job is completed once.
func TestABatchCutByItsTimeoutGoesOnFromItsCheckpoint(t *testing.T) {
	e := setup(t, mailsim.Start(t, mailsim.Config{}), lists.Options{})
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "slow", Emails: emails("slow.test", 60)})
	if err != nil {
		t.Fatal(err)
	}
	proc := lists.NewProcessor(e.store, slowEngine{per: 20 * time.Millisecond, after: verify.Unknown}, e.rules, e.verifs, e.tenants.BatchPolicy)
	// 400 ms per run leaves the engine 300 ms: about 15 of the 60 rows.
	runs, completed := runBatch(t, proc, lists.VerifyBatchArgs{TenantID: a.ID, ListID: l.ID, FromRow: 1, ToRow: 60}, 400*time.Millisecond)
	if runs < 2 || completed != 1 {
		t.Fatalf("%d runs, job completed %d times: want several runs and one completion", runs, completed)
	}
	got, err := e.store.Get(ctx, a.ID, l.ID, a.Owner)
	if err != nil || got.Status != lists.StatusCompleted || got.ProcessedRows != 60 || got.Deliverable != 60 {
		t.Fatalf("after %d runs: %+v %v, want 60 rows verified deliverable once", runs, got, err)
	}
	if n := e.count(t, `SELECT count(*) FROM list_rows WHERE list_id = ? AND state = 'done' AND status = 'deliverable' AND attempts = 0`, l.ID); n != 60 {
		t.Fatalf("%d rows done without an attempt spent, want 60", n)
	}
	if n := e.count(t, `SELECT coalesce(sum(deliverable), 0) FROM usage_daily WHERE tenant_id = ? AND source = 'list'`, a.ID); n != 60 {
		t.Fatalf("usage counts %d deliverable rows, want 60", n)
	}
}

// A row the engine never answers within the time limit does not hold its
// batch for ever, nor is what the engine says while being stopped taken
// for a verdict: each run that answers nothing counts as an attempt, and
// after MaxAttempts the rows are unknown/timeout.
func TestRowsThatNeverAnswerInTimeEndAsTimeouts(t *testing.T) {
	e := setup(t, mailsim.Start(t, mailsim.Config{}), lists.Options{MaxAttempts: 3})
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "stuck", Emails: emails("stuck.test", 5)})
	if err != nil {
		t.Fatal(err)
	}
	proc := lists.NewProcessor(e.store, slowEngine{per: time.Hour, after: verify.Deliverable}, e.rules, e.verifs, e.tenants.BatchPolicy)
	runs, completed := runBatch(t, proc, lists.VerifyBatchArgs{TenantID: a.ID, ListID: l.ID, FromRow: 1, ToRow: 5}, 200*time.Millisecond)
	if runs != 3 || completed != 1 {
		t.Fatalf("%d runs, job completed %d times: want 3 runs (MaxAttempts) and one completion", runs, completed)
	}
	got, _ := e.store.Get(ctx, a.ID, l.ID, a.Owner)
	if got.Status != lists.StatusCompleted || got.Unknown != 5 || got.Deliverable != 0 {
		t.Fatalf("list %+v: want 5 unknown rows and no verdict made while stopping", got)
	}
	if n := e.count(t, `SELECT count(*) FROM list_rows WHERE list_id = ? AND reason = 'timeout'`, l.ID); n != 5 {
		t.Fatalf("%d rows unknown/timeout, want 5", n)
	}
	if n := e.count(t, `SELECT count(*) FROM verification_cache WHERE tenant_id = ?`, a.ID); n != 0 {
		t.Fatalf("%d verdicts cached from a stopped engine", n)
	}
}
