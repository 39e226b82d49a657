package verifications_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/rules"
	"mailvet/verifications"
	"mailvet/verify"
)

// switchableRules serves a tenant's rules from memory, so a test can
// delete one between two verifications.
type switchableRules struct{ set *rules.RuleSet }

func (r *switchableRules) RuleSet(context.Context, uuid.UUID) (*rules.RuleSet, error) {
	return r.set, nil
}

// A test key's verification of zed@… must not make a later live
// verification of zed@… answer from the cache (it answered
// deliverable/test_mode, cached: true, for a week).
func TestTestModeVerdictsNeverReachTheLiveCache(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	eng := &countingEngine{}
	svc := verifications.NewService(d, eng, nil, time.Second)
	test := verifications.Request{TenantID: tenant, Email: "zed@shop.test", TestMode: true, CacheTTL: time.Hour}
	if r, _, err := svc.Verify(ctx, test); err != nil || r.Reason != verify.ReasonTestMode {
		t.Fatalf("test mode: %+v %v", r, err)
	}
	if n := count(t, d, "SELECT count(*) FROM verification_cache"); n != 0 {
		t.Fatalf("a test-mode verdict was cached (%d entries)", n)
	}
	live := test
	live.TestMode = false
	r, _, err := svc.Verify(ctx, live)
	if err != nil || r.Cached || r.Reason != verify.ReasonAccepted || eng.count() != 1 {
		t.Fatalf("live after test mode: %+v %v (engine calls %d)", r, err, eng.count())
	}
	// And the other way: test mode never reads the live entry now there.
	if r, _, err := svc.Verify(ctx, test); err != nil || r.Cached || r.Reason != verify.ReasonTestMode {
		t.Fatalf("test mode after live: %+v %v", r, err)
	}
	cached, err := svc.CachedMany(ctx, tenant, true, []string{"zed@shop.test"}, time.Hour)
	if err != nil || len(cached) != 0 {
		t.Fatalf("test mode read the live cache in bulk: %v %v", cached, err)
	}
	if cached, _ := svc.CachedMany(ctx, tenant, false, []string{"zed@shop.test"}, time.Hour); len(cached) != 1 {
		t.Fatalf("live bulk read: %v", cached)
	}
}

// A block rule's verdict is not cached: once the rule is deleted the
// engine answers again.
func TestRuleVerdictsAreNotCached(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	eng := &countingEngine{}
	rs := &switchableRules{set: rules.Compile([]rules.Rule{{ID: uuid.New(), Kind: rules.KindAddress, Pattern: "zed@shop.test", Action: rules.Block}})}
	svc := verifications.NewService(d, eng, rs, time.Second)
	req := verifications.Request{TenantID: tenant, Email: "zed@shop.test", CacheTTL: time.Hour}
	if r, _, err := svc.Verify(ctx, req); err != nil || r.Reason != verify.ReasonBlockedByRule {
		t.Fatalf("with the rule: %+v %v", r, err)
	}
	rs.set = nil // the rule is deleted
	if r, _, err := svc.Verify(ctx, req); err != nil || r.Cached || r.Status != verify.Deliverable || eng.count() != 1 {
		t.Fatalf("after the rule is gone: %+v %v", r, err)
	}
}

// SaveVerdicts, the one way a batch's verdicts reach the cache, keeps only
// the engine's live, definite answers, and refuses a test-mode caller.
func TestSaveVerdictsKeepsOnlyLiveEngineVerdicts(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	svc := verifications.NewService(d, &countingEngine{}, nil, time.Second)
	now := time.Now().UTC()
	engine := verify.Result{Email: "ann@shop.test", Normalized: "ann@shop.test", Status: verify.Deliverable, Reason: verify.ReasonAccepted, Score: 95, CheckedAt: now}
	blocked := verify.Result{Email: "bob@shop.test", Normalized: "bob@shop.test", Status: verify.Undeliverable, Reason: verify.ReasonBlockedByRule, CheckedAt: now}
	allowed := verify.Result{Email: "cat@shop.test", Normalized: "cat@shop.test", Status: verify.Deliverable, Reason: verify.ReasonAllowedByRule, Score: 95, CheckedAt: now}
	testMode := verify.TestMode("zed@shop.test")
	hit := engine
	hit.Email, hit.Normalized, hit.Cached = "dan@shop.test", "dan@shop.test", true
	grey := verify.Result{Email: "eve@shop.test", Normalized: "eve@shop.test", Status: verify.Unknown, Reason: verify.ReasonGreylisted, RetryAfterSeconds: 300, CheckedAt: now}
	unanswered := verify.Result{} // a list row the engine had not answered when its run stopped
	batch := []verify.Result{engine, blocked, allowed, testMode, hit, grey, unanswered}

	save := func(testMode bool) error {
		return d.Tx(ctx, db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
			return svc.SaveVerdicts(ctx, tx, tenant, testMode, batch)
		})
	}
	if err := save(true); !errors.Is(err, verifications.ErrLiveOnly) {
		t.Fatalf("a test-mode batch: %v, want ErrLiveOnly", err)
	}
	if n := count(t, d, "SELECT count(*) FROM verification_cache"); n != 0 {
		t.Fatalf("a test-mode batch cached %d verdicts", n)
	}
	if err := save(false); err != nil {
		t.Fatal(err)
	}
	var keys []string
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw("SELECT normalized FROM verification_cache ORDER BY 1").Scan(ctx, &keys)
	})
	if len(keys) != 1 || keys[0] != "ann@shop.test" {
		t.Fatalf("cached %v, want only the engine's ann@shop.test", keys)
	}
}

// A batch bigger than one upsert's chunk is saved whole, each address with
// its own verdict, the newest of an address winning.
func TestSaveVerdictsKeepsABigBatchWhole(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	svc := verifications.NewService(d, &countingEngine{}, nil, time.Second)
	now := time.Now().UTC().Truncate(time.Microsecond)
	var batch []verify.Result
	var keys []string
	for i := range 2500 {
		email := fmt.Sprintf("u%04d@shop.test", i)
		st := verify.Deliverable
		if i%3 == 0 {
			st = verify.Undeliverable
		}
		batch = append(batch, verify.Result{Email: email, Normalized: email, Status: st, Reason: verify.ReasonAccepted, Score: i % 100, CheckedAt: now})
		keys = append(keys, email)
	}
	// An older answer about u1999 after its newer one: the newer stays.
	batch = append(batch, verify.Result{Email: "u1999@shop.test", Normalized: "u1999@shop.test", Status: verify.Risky, Reason: verify.ReasonCatchAll, CheckedAt: now.Add(-time.Hour)})
	if err := d.Tx(ctx, db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
		return svc.SaveVerdicts(ctx, tx, tenant, false, batch)
	}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.CachedMany(ctx, tenant, false, keys, 2*time.Hour)
	if err != nil || len(got) != len(keys) {
		t.Fatalf("%d of %d cached: %v", len(got), len(keys), err)
	}
	for _, want := range batch[:len(keys)] {
		if r := got[want.Normalized]; r.Status != want.Status || r.Score != want.Score || !r.Cached {
			t.Fatalf("%s: %+v, want %s/%d", want.Normalized, r, want.Status, want.Score)
		}
	}
}

// A test key may not clear the live cache, nor may a member; an admin may.
func TestOnlyLiveAdminsClearTheCache(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	svc := verifications.NewService(d, &countingEngine{}, nil, time.Second)
	if _, _, err := svc.Verify(ctx, verifications.Request{TenantID: tenant, Email: "ann@shop.test", CacheTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	testKey, liveKey := newKey(t, d, tenant, "test"), newKey(t, d, tenant, "live")
	if _, err := svc.ClearCache(ctx, tenant, actor.APIKey(testKey, true).In(tenant)); !errors.Is(err, verifications.ErrLiveOnly) {
		t.Fatalf("test key clears: %v, want ErrLiveOnly", err)
	}
	if _, err := svc.ClearCache(ctx, tenant, actor.User(uuid.New(), "m@shop.test", actor.RoleMember).In(tenant)); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("member clears: %v, want ErrForbidden", err)
	}
	if _, err := svc.ClearCache(ctx, tenant, actor.Actor{}); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("zero actor clears: %v, want ErrForbidden", err)
	}
	if n := count(t, d, "SELECT count(*) FROM verification_cache"); n != 1 {
		t.Fatalf("refused clears left %d entries", n)
	}
	if n, err := svc.ClearCache(ctx, tenant, actor.APIKey(liveKey, false).In(tenant)); err != nil || n != 1 {
		t.Fatalf("live key clears: %d %v", n, err)
	}
}

// B's admin or B's live key naming A's tenant (the domain does not rely on
// the app pairing an actor with its own tenant) finds no cache there: not
// found, and A's cache is intact, nothing audited in A.
func TestActorOfAnotherTenantCannotClearTheCache(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a, b := newTenant(t, d), newTenant(t, d)
	svc := verifications.NewService(d, &countingEngine{}, nil, time.Second)
	if _, _, err := svc.Verify(ctx, verifications.Request{TenantID: a, Email: "ann@shop.test", CacheTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	var adminB uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		if err := tx.QueryRowContext(ctx, "INSERT INTO users (email, password_hash) VALUES (?, 'x') RETURNING id", uuid.NewString()[:8]+"@b.test").Scan(&adminB); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, 'admin')", b, adminB)
		return err
	})
	for name, by := range map[string]actor.Actor{
		"B's admin":    actor.User(adminB, "admin@b.test", actor.RoleAdmin).In(b),
		"B's live key": actor.APIKey(newKey(t, d, b, "live"), false).In(b),
	} {
		if n, err := svc.ClearCache(ctx, a, by); !errors.Is(err, verifications.ErrNotFound) || n != 0 {
			t.Errorf("%s clears A's cache: %d %v, want not found", name, n, err)
		}
	}
	if n := count(t, d, "SELECT count(*) FROM verification_cache WHERE tenant_id = ?", a); n != 1 {
		t.Fatalf("A's cache has %d entries, want its one", n)
	}
	if n := count(t, d, "SELECT count(*) FROM audit_events WHERE tenant_id = ?", a); n != 0 {
		t.Fatalf("%d events recorded in A", n)
	}
}
