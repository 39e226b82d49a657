package tenants_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"mailvet/tenants"
)

// testClock is a store clock a test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock { return &testClock{t: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestRollKeepsTheOldKeyForItsGrace(t *testing.T) {
	clock := newClock()
	f := setupWith(t, tenants.Options{Now: clock.Now})
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	old, oldRaw, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "CRM", Mode: tenants.ModeLive,
		Expiry: tenants.Expiry{Days: 90}, Scopes: []string{"lists", "verify"}}, by)
	if err != nil {
		t.Fatal(err)
	}
	daily := 500
	if _, err := f.store.SetAPIKeyLimits(ctx, tn.ID, old.ID, tenants.KeyLimits{Daily: &daily}, tenants.PlanLimits{RatePerMinute: 10, Daily: 1000, Monthly: 10000}, by); err != nil {
		t.Fatal(err)
	}

	if _, err := f.store.RollAPIKey(ctx, tn.ID, old.ID, 8*24*time.Hour, by); !errors.Is(err, tenants.ErrInvalidGrace) {
		t.Fatalf("grace of 8 days: %v, want invalid grace", err)
	}
	if got, _ := f.store.APIKeyByID(ctx, tn.ID, old.ID); got.RolledAt != nil || !got.ExpiresAt.Equal(*old.ExpiresAt) {
		t.Fatal("a refused roll changed the key")
	}

	clock.Advance(10 * 24 * time.Hour)
	rolled, err := f.store.RollAPIKey(ctx, tn.ID, old.ID, time.Hour, by)
	if err != nil {
		t.Fatal(err)
	}
	nk := rolled.New
	if nk.Name != "CRM" || nk.Mode != tenants.ModeLive || !slices.Equal(nk.Scopes, []string{"verify", "lists"}) ||
		nk.DailyLimit == nil || *nk.DailyLimit != 500 || nk.RolledFrom == nil || *nk.RolledFrom != old.ID || rolled.Secret == "" {
		t.Fatalf("successor %+v", nk)
	}
	if want := clock.Now().Add(90 * 24 * time.Hour); nk.ExpiresAt == nil || nk.ExpiresAt.Sub(want).Abs() > time.Second {
		t.Fatalf("successor expires %v, want 90 days from the roll (%v)", nk.ExpiresAt, want)
	}
	if want := clock.Now().Add(time.Hour); rolled.Old.ExpiresAt.Sub(want).Abs() > time.Second {
		t.Fatalf("old key's grace ends %v, want %v", rolled.Old.ExpiresAt, want)
	}

	// During the grace both work, and the old one's use is still recorded.
	f.exec(t, "UPDATE api_keys SET last_used_at = NULL WHERE id = $1", old.ID)
	for _, raw := range []string{oldRaw, rolled.Secret} {
		if _, _, err := f.store.AuthenticateKey(ctx, raw); err != nil {
			t.Fatalf("during the grace: %v", err)
		}
	}
	if got, _ := f.store.APIKeyByID(ctx, tn.ID, old.ID); got.LastUsedAt == nil {
		t.Fatal("the old key's use during its grace was not recorded")
	}

	if _, err := f.store.RollAPIKey(ctx, tn.ID, old.ID, time.Hour, by); !errors.Is(err, tenants.ErrKeyRolled) {
		t.Fatalf("second roll: %v, want already rolled", err)
	}

	clock.Advance(time.Hour + time.Second)
	if _, _, err := f.store.AuthenticateKey(ctx, oldRaw); !errors.Is(err, tenants.ErrKeyExpired) {
		t.Fatalf("after the grace: %v, want expired", err)
	}
	if _, _, err := f.store.AuthenticateKey(ctx, rolled.Secret); err != nil {
		t.Fatalf("successor after the grace: %v", err)
	}

	if _, err := f.store.RevokeAPIKey(ctx, tn.ID, nk.ID, by); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RollAPIKey(ctx, tn.ID, nk.ID, 0, by); !errors.Is(err, tenants.ErrKeyInactive) {
		t.Fatalf("rolling a revoked key: %v, want inactive", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'api_key.rolled' AND target_id = $2", tn.ID, old.ID.String()); n != 1 {
		t.Fatalf("roll audit events = %d, want 1", n)
	}
}

func TestRollNowStopsTheOldKeyAtOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	old, raw, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeTest}, by)
	if err != nil {
		t.Fatal(err)
	}
	rolled, err := f.store.RollAPIKey(ctx, tn.ID, old.ID, 0, by)
	if err != nil {
		t.Fatal(err)
	}
	if rolled.New.ExpiresAt != nil {
		t.Fatalf("a key that never expires has a successor expiring %v", rolled.New.ExpiresAt)
	}
	if _, _, err := f.store.AuthenticateKey(ctx, raw); !errors.Is(err, tenants.ErrKeyExpired) {
		t.Fatalf("old key after a roll with no grace: %v", err)
	}
}

func TestWorkspaceRequiresAnExpiry(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	before, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "before", Mode: tenants.ModeLive}, by)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetKeyPolicy(ctx, tn.ID, tenants.KeyPolicy{MaxLifetimeDays: 90, MaxGraceHours: 24}, by); err != nil {
		t.Fatal(err)
	}
	rolled, err := f.store.RollAPIKey(ctx, tn.ID, before.ID, time.Hour, by)
	if err != nil || rolled.New.LifetimeDays == nil || *rolled.New.LifetimeDays != 90 {
		t.Fatalf("the successor of a key made before the rule: %v, %+v (want a 90-day lifetime)", err, rolled.New)
	}
	for _, bad := range []tenants.Expiry{{}, {Days: 365}, {Days: -1}} {
		if _, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive, Expiry: bad}, by); !errors.Is(err, tenants.ErrInvalidExpiry) {
			t.Errorf("expiry %+v: %v, want invalid expiry", bad, err)
		}
	}
	past := time.Now().Add(-time.Hour)
	if _, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive, Expiry: tenants.Expiry{At: &past}}, by); !errors.Is(err, tenants.ErrInvalidExpiry) {
		t.Errorf("a date in the past: %v", err)
	}
	date := time.Now().Add(45 * 24 * time.Hour).Truncate(time.Second)
	k, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive, Expiry: tenants.Expiry{At: &date}}, by)
	if err != nil || !k.ExpiresAt.Equal(date) || *k.LifetimeDays != 45 {
		t.Fatalf("a date within the limit: %v, %+v", err, k)
	}
	if _, err := f.store.RollAPIKey(ctx, tn.ID, k.ID, 48*time.Hour, by); !errors.Is(err, tenants.ErrInvalidGrace) {
		t.Fatalf("grace beyond the workspace's 24 h: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM api_keys WHERE tenant_id = $1", tn.ID); n != 3 {
		t.Fatalf("%d keys, want only the valid one besides the rolled pair", n)
	}
	if _, err := f.store.SetKeyPolicy(ctx, tn.ID, tenants.KeyPolicy{MaxGraceHours: 24, RotationGraceHours: 48}, by); !errors.Is(err, tenants.ErrInvalidKeyPolicy) {
		t.Fatalf("rotation grace above the maximum: %v", err)
	}
}

func TestKeyScopes(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	if _, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive, Scopes: []string{"verify", "admin"}}, by); !errors.Is(err, tenants.ErrUnknownScope) {
		t.Fatalf("unknown scope: %v", err)
	}
	plain, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "plain", Mode: tenants.ModeLive}, by)
	if err != nil || !slices.Equal(plain.Scopes, tenants.DefaultScopes()) || plain.Allows(tenants.ScopeKeys) {
		t.Fatalf("default scopes %v, %v", plain.Scopes, err)
	}
	manager, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "manager", Mode: tenants.ModeTest, Scopes: []string{"keys", "verify"}}, by)
	if err != nil {
		t.Fatal(err)
	}
	rate := 5
	if _, err := f.store.SetAPIKeyLimits(ctx, tn.ID, manager.ID, tenants.KeyLimits{RatePerMinute: &rate}, tenants.PlanLimits{RatePerMinute: 10, Daily: 10, Monthly: 10}, by); err != nil {
		t.Fatal(err)
	}
	asKey := manager.Actor()
	for name, in := range map[string]tenants.NewKeyInput{
		"a wider scope": {Name: "x", Mode: tenants.ModeTest, Scopes: []string{"lists"}},
		"a live key":    {Name: "x", Mode: tenants.ModeLive, Scopes: []string{"verify"}},
	} {
		if _, _, err := f.store.CreateAPIKey(ctx, tn.ID, in, asKey); !errors.Is(err, tenants.ErrInsufficientScope) {
			t.Errorf("%s: %v, want insufficient scope", name, err)
		}
	}
	child, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "child", Mode: tenants.ModeTest}, asKey)
	if err != nil || !slices.Equal(child.Scopes, []string{"verify"}) || child.RatePerMinute == nil || *child.RatePerMinute != 5 {
		t.Fatalf("a key's child: %+v, %v (want its default scopes narrowed to verify and its rate of 5)", child, err)
	}
	if _, err := f.store.RollAPIKey(ctx, tn.ID, plain.ID, time.Hour, asKey); !errors.Is(err, tenants.ErrInsufficientScope) {
		t.Fatalf("a key rolling a wider key: %v", err)
	}
}

func TestAnotherTenantCannotRollOrRevealAKey(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	bob, other := f.signUp(t, "Other", "bob@example.org")
	k, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RollAPIKey(ctx, other.ID, k.ID, time.Hour, actorFor(bob).In(other.ID)); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("roll in B: %v", err)
	}
	if _, err := f.store.RollAPIKey(ctx, tn.ID, k.ID, time.Hour, actorFor(bob).In(tn.ID)); !errors.Is(err, tenants.ErrNotFound) && !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("roll by an outsider: %v", err)
	}
	if _, _, err := f.store.RevealAPIKey(ctx, other.ID, k.ID, actorFor(bob).In(other.ID)); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("reveal in B: %v", err)
	}
	if got, _ := f.store.APIKeyByID(ctx, tn.ID, k.ID); got.RolledAt != nil {
		t.Fatal("B's attempt rolled A's key")
	}
}
