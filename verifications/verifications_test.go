package verifications_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/db/dbtest"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/verify"
)

// countingEngine answers every address deliverable and counts calls: the
// cache's job is to avoid calling it.
type countingEngine struct{ calls int }

func (e *countingEngine) Verify(_ context.Context, email string) verify.Result {
	e.calls++
	return verify.Result{Email: email, Normalized: email, Status: verify.Deliverable, Reason: verify.ReasonAccepted, Score: 95, CheckedAt: time.Now().UTC()}
}

// slowEngine never answers before its context ends.
type slowEngine struct{}

func (slowEngine) Verify(ctx context.Context, email string) verify.Result {
	<-ctx.Done()
	time.Sleep(time.Second) // an engine that overstays must not hold the caller
	return verify.Result{Email: email, Status: verify.Deliverable}
}

func TestCacheAndStatsAreScopedToTheTenant(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	var a, b uuid.UUID
	for _, id := range []*uuid.UUID{&a, &b} {
		if err := d.Pool.QueryRow(ctx, "INSERT INTO tenants (name, slug) VALUES ('T', $1) RETURNING id", uuid.NewString()[:8]).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	eng := &countingEngine{}
	svc := verifications.NewService(d.Bun, eng, nil, time.Second)
	req := func(tenant uuid.UUID) verifications.Request {
		return verifications.Request{TenantID: tenant, Email: "ann@shop.test", CacheTTL: time.Hour}
	}

	if r, _, err := svc.Verify(ctx, req(a)); err != nil || r.Cached {
		t.Fatalf("first: %+v %v", r, err)
	}
	if r, _, _ := svc.Verify(ctx, req(a)); !r.Cached || eng.calls != 1 {
		t.Fatalf("second not cached (calls %d)", eng.calls)
	}
	// B reads nothing of A's cache.
	if r, _, _ := svc.Verify(ctx, req(b)); r.Cached || eng.calls != 2 {
		t.Fatalf("tenant B hit A's cache")
	}
	// B clearing its cache leaves A's.
	if n, err := svc.ClearCache(ctx, b); err != nil || n != 1 {
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
	// An expired entry is not served.
	if _, err := d.Pool.Exec(ctx, "UPDATE verification_cache SET checked_at = now() - interval '2 hours'"); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := svc.Verify(ctx, req(a)); r.Cached {
		t.Fatal("expired cache entry served")
	}
}

func TestDeadlineAnswersUnknownTimeout(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	var a uuid.UUID
	if err := d.Pool.QueryRow(ctx, "INSERT INTO tenants (name, slug) VALUES ('T', 'tt') RETURNING id").Scan(&a); err != nil {
		t.Fatal(err)
	}
	svc := verifications.NewService(d.Bun, slowEngine{}, nil, 100*time.Millisecond)
	r, _, err := svc.Verify(ctx, verifications.Request{TenantID: a, Email: "ann@shop.test", CacheTTL: time.Hour})
	if err != nil || r.Status != verify.Unknown || r.Reason != verify.ReasonTimeout {
		t.Fatalf("%+v %v", r, err)
	}
	var cached int
	if err := d.Pool.QueryRow(ctx, "SELECT count(*) FROM verification_cache").Scan(&cached); err != nil || cached != 0 {
		t.Fatalf("a timeout was cached (%d)", cached)
	}
}

// Concurrent verifications of one key spread over the rollup's shard rows
// and are all counted: the usage totals equal the verifications made.
func TestConcurrentVerificationsAllReachTheRollups(t *testing.T) {
	d := dbtest.New(t)
	ctx := t.Context()
	var tenant uuid.UUID
	if err := d.Pool.QueryRow(ctx, "INSERT INTO tenants (name, slug) VALUES ('T', 'tt') RETURNING id").Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	var key uuid.UUID
	if err := d.Pool.QueryRow(ctx, "INSERT INTO api_keys (tenant_id, name, mode, prefix, key_hash) VALUES ($1, 'K', 'test', 'mv_test_k', 'h') RETURNING id",
		tenant).Scan(&key); err != nil {
		t.Fatal(err)
	}
	svc := verifications.NewService(d.Bun, &countingEngine{}, nil, time.Second)
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
	got, err := usage.NewStore(d.Bun).Totals(ctx, tenant, today, today)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total() != n || got.Billable != 0 {
		t.Fatalf("rollups count %+v for %d test-mode verifications", got, n)
	}
	var rows int
	if err := d.Pool.QueryRow(ctx, "SELECT count(*) FROM usage_daily WHERE tenant_id = $1", tenant).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	// 64 writes all landing on one of 16 shards has odds of 16^-63.
	if rows < 2 || rows > usage.Shards {
		t.Fatalf("%d rollup rows for one key and day, want 2 to %d", rows, usage.Shards)
	}
}
