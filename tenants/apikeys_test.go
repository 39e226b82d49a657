package tenants_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mailvet/tenants"
)

func TestAPIKeyLifecycle(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")

	k, raw, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: " CRM sync ", Mode: tenants.ModeLive}, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(raw, "mv_live_") || len(raw) != len("mv_live_")+43 || !strings.HasPrefix(raw, k.Prefix) || k.Name != "CRM sync" {
		t.Fatalf("key %q prefix %q name %q", raw, k.Prefix, k.Name)
	}
	if n := f.count(t, "SELECT count(*) FROM api_keys WHERE position($1 in encode(key_hash, 'escape')) > 0", raw); n != 0 {
		t.Fatal("secret stored in clear")
	}
	got, gotTenant, err := f.store.AuthenticateKey(ctx, raw)
	if err != nil || got.ID != k.ID || gotTenant.ID != tn.ID {
		t.Fatalf("authenticate: %v", err)
	}
	if got, _ := f.store.APIKeyByID(ctx, tn.ID, k.ID); got.LastUsedAt == nil {
		t.Fatal("last_used_at not set")
	}

	for _, bad := range []string{"", "Bearer x", "mv_live_short", "mv_prod_" + raw[8:], raw[:len(raw)-1] + "!"} {
		if _, _, err := f.store.AuthenticateKey(ctx, bad); !errors.Is(err, tenants.ErrMalformedKey) {
			t.Errorf("AuthenticateKey(%q) = %v, want malformed", bad, err)
		}
	}
	other := "mv_live_" + strings.Repeat("A", 43)
	if _, _, err := f.store.AuthenticateKey(ctx, other); !errors.Is(err, tenants.ErrUnknownKey) {
		t.Fatalf("unknown key: %v", err)
	}

	if _, err := f.store.RevokeAPIKey(ctx, tn.ID, k.ID, actorFor(owner).In(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.AuthenticateKey(ctx, raw); !errors.Is(err, tenants.ErrKeyRevoked) {
		t.Fatalf("revoked key: %v", err)
	}

	old, expired, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "old", Mode: tenants.ModeTest, Expiry: tenants.Expiry{Days: 30}}, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	f.exec(t, "UPDATE api_keys SET expires_at = $2 WHERE id = $1", old.ID, time.Now().Add(-time.Minute))
	if _, _, err := f.store.AuthenticateKey(ctx, expired); !errors.Is(err, tenants.ErrKeyExpired) {
		t.Fatalf("expired key: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action IN ('api_key.created','api_key.revoked')", tn.ID); n != 3 {
		t.Fatalf("key audit events = %d, want 3", n)
	}
}

func TestUnverifiedOwnerCannotCreateKeys(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, tn, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: "Acme", Email: "new@example.com", Password: goodPassword}, visitor())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actorFor(u).In(tn.ID)); !errors.Is(err, tenants.ErrEmailNotVerified) {
		t.Fatalf("unverified: %v", err)
	}
}

func TestSuspendedTenantKeysStop(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	_, raw, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeTest}, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	f.exec(t, "UPDATE tenants SET status = 'suspended' WHERE id = $1", tn.ID)
	if _, _, err := f.store.AuthenticateKey(ctx, raw); !errors.Is(err, tenants.ErrTenantSuspended) {
		t.Fatalf("suspended tenant: %v", err)
	}
}
