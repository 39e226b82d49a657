package tenants_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mailvet/tenants"
)

// A session's lifetime is absolute, as the README promises: saving it on
// activity changes its data and tenant, never its expiry, and a session
// past its expiry cannot be saved back to life.
func TestSessionLifetimeIsAbsolute(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, tn := f.signUp(t, "Acme", "ann@example.com")
	_, hash := tenants.NewToken()
	expires := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	if _, err := f.store.CreateSession(ctx, tenants.NewSession{TokenHash: hash, UserID: u.ID, TenantID: tn.ID, ExpiresAt: expires}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := f.store.SaveSession(ctx, hash, tn.ID, map[string]any{"n": i}); err != nil {
			t.Fatal(err)
		}
		s, err := f.store.SessionByToken(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		if !s.ExpiresAt.Equal(expires) {
			t.Fatalf("save %d moved the expiry from %v to %v", i, expires, s.ExpiresAt)
		}
	}

	f.exec(t, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1", hash)
	if err := f.store.SaveSession(ctx, hash, tn.ID, nil); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("saving an expired session: %v, want ErrNotFound", err)
	}
	if _, err := f.store.SessionByToken(ctx, hash); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("expired session found: %v", err)
	}
}
