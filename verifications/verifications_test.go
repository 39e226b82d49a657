package verifications_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/verify"
)

// countingEngine answers every address deliverable and counts calls: the
// cache's job is to avoid calling it.
type countingEngine struct{ calls atomic.Int64 }

func (e *countingEngine) Verify(_ context.Context, email string) verify.Result {
	e.calls.Add(1)
	return verify.Result{Email: email, Normalized: email, Status: verify.Deliverable, Reason: verify.ReasonAccepted, Score: 95, CheckedAt: time.Now().UTC()}
}

func (e *countingEngine) count() int { return int(e.calls.Load()) }

// slowEngine never answers before its context ends.
type slowEngine struct{}

func (slowEngine) Verify(ctx context.Context, email string) verify.Result {
	<-ctx.Done()
	time.Sleep(time.Second) // an engine that overstays must not hold the caller
	return verify.Result{Email: email, Status: verify.Deliverable}
}

// seed runs test set-up, or a check across tenants, on the system path
// (bun's ? placeholders).
func seed(t *testing.T, d *db.DB, fn func(ctx context.Context, tx db.Tx) error) {
	t.Helper()
	if err := d.Tx(context.Background(), db.System("test: seed verification fixtures"), fn); err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, d *db.DB, query string, args ...any) {
	t.Helper()
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}

// count runs a counting query across tenants.
func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	seed(t, d, func(ctx context.Context, tx db.Tx) error { return tx.QueryRowContext(ctx, query, args...).Scan(&n) })
	return n
}

func newTenant(t *testing.T, d *db.DB) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO tenants (name, slug) VALUES ('T', ?) RETURNING id", uuid.NewString()[:8]).Scan(&id)
	})
	return id
}

func newKey(t *testing.T, d *db.DB, tenant uuid.UUID, mode string) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO api_keys (tenant_id, name, mode, prefix, key_hash) VALUES (?, 'K', ?, ?, ?) RETURNING id",
			tenant, mode, "mv_"+mode+"_"+uuid.NewString()[:6], []byte(uuid.NewString())).Scan(&id)
	})
	return id
}

func TestCacheAndStatsAreScopedToTheTenant(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a, b := newTenant(t, d), newTenant(t, d)
	eng := &countingEngine{}
	svc := verifications.NewService(d, eng, nil, time.Second)
	req := func(tenant uuid.UUID) verifications.Request {
		return verifications.Request{TenantID: tenant, Email: "ann@shop.test", CacheTTL: time.Hour}
	}

	if r, _, err := svc.Verify(ctx, req(a)); err != nil || r.Cached {
		t.Fatalf("first: %+v %v", r, err)
	}
	if r, _, _ := svc.Verify(ctx, req(a)); !r.Cached || eng.count() != 1 {
		t.Fatalf("second not cached (calls %d)", eng.count())
	}
	// B reads nothing of A's cache.
	if r, _, _ := svc.Verify(ctx, req(b)); r.Cached || eng.count() != 2 {
		t.Fatalf("tenant B hit A's cache")
	}
	// B clearing its cache leaves A's.
	if n, err := svc.ClearCache(ctx, b, actor.Operator()); err != nil || n != 1 {
		t.Fatalf("clear B: %d %v", n, err)
	}
	if r, _, _ := svc.Verify(ctx, req(a)); !r.Cached {
		t.Fatal("A's cache emptied by B")
	}
	sa, err := svc.StatsSince(ctx, a, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	sb, _ := svc.StatsSince(ctx, b, time.Now().Add(-time.Hour))
	if sa.Total != 3 || sa.CacheHits != 2 || sa.CacheMisses != 1 || sa.CachedNow != 1 {
		t.Fatalf("A stats %+v", sa)
	}
	if sb.Total != 1 || sb.CacheHits != 0 || sb.CachedNow != 0 {
		t.Fatalf("B stats %+v", sb)
	}
	if n := count(t, d, "SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action = ? AND actor_kind = 'operator'", b, verifications.AuditCacheCleared); n != 1 {
		t.Fatalf("%d audit events for clearing B's cache", n)
	}
	// An expired entry is not served.
	exec(t, d, "UPDATE verification_cache SET checked_at = now() - interval '2 hours'")
	if r, _, _ := svc.Verify(ctx, req(a)); r.Cached {
		t.Fatal("expired cache entry served")
	}
}

func TestDeadlineAnswersUnknownTimeout(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a := newTenant(t, d)
	svc := verifications.NewService(d, slowEngine{}, nil, 100*time.Millisecond)
	r, _, err := svc.Verify(ctx, verifications.Request{TenantID: a, Email: "ann@shop.test", CacheTTL: time.Hour})
	if err != nil || r.Status != verify.Unknown || r.Reason != verify.ReasonTimeout {
		t.Fatalf("%+v %v", r, err)
	}
	if cached := count(t, d, "SELECT count(*) FROM verification_cache"); cached != 0 {
		t.Fatalf("a timeout was cached (%d)", cached)
	}
}

// Concurrent verifications of one key spread over the rollup's shard rows
// and are all counted: the usage totals equal the verifications made.
func TestConcurrentVerificationsAllReachTheRollups(t *testing.T) {
	d := dbtest.New(t)
	ctx := t.Context()
	tenant := newTenant(t, d)
	key := newKey(t, d, tenant, "test")
	svc := verifications.NewService(d, &countingEngine{}, nil, time.Second)
	const n = 64
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			email := fmt.Sprintf("user%d@shop.test", i)
			_, _, err := svc.Verify(ctx, verifications.Request{TenantID: tenant, APIKeyID: key, Email: email, TestMode: true})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	today := time.Now().UTC()
	got, err := usage.NewStore(d).Totals(ctx, tenant, today, today)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total() != n || got.Billable != 0 {
		t.Fatalf("rollups count %+v for %d test-mode verifications", got, n)
	}
	rows := count(t, d, "SELECT count(*) FROM usage_daily WHERE tenant_id = ?", tenant)
	// 64 writes all landing on one of 16 shards has odds of 16^-63.
	if rows < 2 || rows > usage.Shards {
		t.Fatalf("%d rollup rows for one key and day, want 2 to %d", rows, usage.Shards)
	}
}
