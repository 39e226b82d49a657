package lists_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/lists"
	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// heldEngine is the real engine, talking to the simulated mail world, that
// holds its first verdict until released: the test knows the batch is
// inside the engine, mid-conversation, while it stops the list.
type heldEngine struct {
	inner   lists.Engine
	entered chan struct{} // closed at the first verdict
	release chan struct{} // closed by the test
	once    sync.Once
}

func (h *heldEngine) VerifyBatch(ctx context.Context, emails []string, share verify.Share, emit func(int, verify.Result)) {
	h.inner.VerifyBatch(ctx, emails, share, func(i int, r verify.Result) {
		h.once.Do(func() { close(h.entered) })
		<-h.release
		emit(i, r)
	})
}

// A list cancelled or deleted while a batch is inside the engine gets none
// of that batch's verdicts: the stop gave back the quota of every row not
// verified by then, so whatever is verified afterwards was reserved once
// and is never counted twice (processed + refunded = reserved), and the
// tenant's month counter agrees with its usage rollup. The batch only
// completes its job.
func TestAListStoppedWhileItsBatchIsInTheEngineCountsNothingMore(t *testing.T) {
	for _, stop := range []string{"cancel", "delete"} {
		t.Run(stop, func(t *testing.T) {
			world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
				{Name: "slow.test", CatchAll: true, Server: mailsim.Host{Latency: 5 * time.Millisecond}},
			}})
			e := setup(t, world, lists.Options{})
			svc := billing.NewService(e.d, nil, 0, func(p string) string { return p })
			e.store.WithQuota(svc)
			a := e.workspace(t, "alpha") // on the free plan
			ctx := context.Background()
			monthUsed := func() int {
				t.Helper()
				q, err := svc.Usage(ctx, a.ID)
				if err != nil {
					t.Fatal(err)
				}
				return q.MonthUsed
			}
			l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "in flight", Emails: emails("slow.test", 150)})
			if err != nil {
				t.Fatal(err)
			}
			reserved := monthUsed()
			if reserved != 150 {
				t.Fatalf("the list reserved %d, want 150", reserved)
			}

			engine := &heldEngine{inner: e.engine, entered: make(chan struct{}), release: make(chan struct{})}
			proc := lists.NewProcessor(e.store, engine, e.rules, e.verifs, e.tenants.BatchPolicy)
			completed := 0
			complete := func(context.Context, *sql.Tx) error { completed++; return nil }
			type result struct {
				next lists.Next
				err  error
			}
			ran := make(chan result, 1)
			go func() {
				// The whole list as one batch, run the way its job runs it.
				args := lists.VerifyBatchArgs{TenantID: a.ID, ListID: l.ID, FromRow: 1, ToRow: l.TotalRows}
				next, err := proc.Process(ctx, args, complete)
				ran <- result{next, err}
			}()
			select {
			case <-engine.entered:
			case r := <-ran:
				close(engine.release)
				t.Fatalf("the batch ended before the engine answered: %+v", r)
			}

			processedAtStop := 0
			if stop == "cancel" {
				got, err := e.store.Cancel(ctx, a.ID, l.ID, a.Owner)
				if err != nil {
					t.Fatal(err)
				}
				processedAtStop = got.ProcessedRows
			} else if err := e.store.Delete(ctx, a.ID, l.ID, a.Owner); err != nil {
				t.Fatal(err)
			}
			refunded := reserved - monthUsed()
			close(engine.release)
			r := <-ran
			if r.err != nil || !r.next.Done || completed != 1 {
				t.Fatalf("batch after the %s: %+v, job completed %d times; want done, completed once", stop, r, completed)
			}

			processed := e.count(t, `SELECT count(*) FROM list_rows WHERE list_id = ? AND state = 'done'`, l.ID)
			if stop == "cancel" {
				got, err := e.store.Get(ctx, a.ID, l.ID, a.Owner)
				if err != nil {
					t.Fatal(err)
				}
				if got.Status != lists.StatusCancelled || got.ProcessedRows != processedAtStop || processed != processedAtStop {
					t.Errorf("cancelled list %+v (%d rows done): want it as it was at the cancel, %d rows processed", got, processed, processedAtStop)
				}
			}
			if processed+refunded != reserved {
				t.Errorf("%d rows processed + %d refunded, want %d reserved", processed, refunded, reserved)
			}
			if used, billable := monthUsed(), billableUsage(t, e, a.ID); used != billable {
				t.Errorf("month counter %d, usage rollup %d billable: they disagree", used, billable)
			}
			if n := e.count(t, `SELECT count(*) FROM verification_cache WHERE tenant_id = ?`, a.ID); n != 0 {
				t.Errorf("%d verdicts of a stopped list cached", n)
			}
		})
	}
}

func billableUsage(t *testing.T, e env, tenantID uuid.UUID) int {
	t.Helper()
	return e.count(t, `SELECT coalesce(sum(billable), 0) FROM usage_daily WHERE tenant_id = ?`, tenantID)
}
