package tenants_test

import (
	"context"
	"testing"
	"time"

	"mailvet/tenants"
)

// last_used_at is written at most once per KeyTouchEvery, for the key's
// own row, inside the look-up's transaction.
func TestKeyTouchIsThrottled(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	k, raw, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	lastUsed := func() time.Time {
		got, err := f.store.APIKeyByID(ctx, tn.ID, k.ID)
		if err != nil || got.LastUsedAt == nil {
			t.Fatalf("last_used_at: %+v %v", got, err)
		}
		return *got.LastUsedAt
	}
	if _, _, err := f.store.AuthenticateKey(ctx, raw); err != nil {
		t.Fatal(err)
	}
	first := lastUsed()
	if _, _, err := f.store.AuthenticateKey(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if again := lastUsed(); !again.Equal(first) {
		t.Fatalf("touched again within KeyTouchEvery: %v -> %v", first, again)
	}
	f.exec(t, "UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = $1", k.ID)
	stale := lastUsed()
	got, gotTenant, err := f.store.AuthenticateKey(ctx, raw)
	if err != nil || got.ID != k.ID || gotTenant.ID != tn.ID || gotTenant.Name != "Acme" || !gotTenant.Active() {
		t.Fatalf("authenticate: %+v %+v %v", got, gotTenant, err)
	}
	if now := lastUsed(); !now.After(stale) {
		t.Fatalf("stale last_used_at not touched: %v", now)
	}
}

// BenchmarkAuthenticateKey is the API's per-request key look-up, warm.
func BenchmarkAuthenticateKey(b *testing.B) {
	f := setup(b)
	ctx := context.Background()
	owner, tn := f.signUp(b, "Acme", "owner@example.com")
	_, raw, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actorFor(owner).In(tn.ID))
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := f.store.AuthenticateKey(ctx, raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
