package tenants_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/tenants"
)

// SaveSession runs on the system path; it still moves a session only into
// a tenant its user is a member of. Ann's session cannot be pointed at
// Bob's tenant: not found, and the session keeps its tenant and data.
func TestSaveSessionMovesOnlyIntoTheUsersTenants(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	_, hash := tenants.NewToken()
	if _, err := w.store.CreateSession(ctx, tenants.NewSession{TokenHash: hash, UserID: w.ann.ID, TenantID: w.a.ID, Data: map[string]any{"n": "a"}, ExpiresAt: farFuture()}); err != nil {
		t.Fatal(err)
	}
	if err := w.store.SaveSession(ctx, hash, w.b.ID, map[string]any{"n": "b"}); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("Ann's session moved into B: %v, want not found", err)
	}
	if err := w.store.SaveSession(ctx, hash, uuid.New(), map[string]any{"n": "none"}); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("Ann's session moved into no tenant's id: %v, want not found", err)
	}
	got, err := w.store.SessionByToken(ctx, hash)
	if err != nil || got.TenantID == nil || *got.TenantID != w.a.ID || got.Data["n"] != "a" {
		t.Fatalf("session after the refused saves: %+v %v", got, err)
	}
	// Her own tenant, and no tenant at all, are still saved.
	if err := w.store.SaveSession(ctx, hash, uuid.Nil, map[string]any{"n": "nil"}); err != nil {
		t.Fatal(err)
	}
	if got, err := w.store.SessionByToken(ctx, hash); err != nil || got.TenantID != nil || got.Data["n"] != "nil" {
		t.Fatalf("session without a tenant: %+v %v", got, err)
	}
	if err := w.store.SaveSession(ctx, hash, w.a.ID, map[string]any{"n": "a2"}); err != nil {
		t.Fatal(err)
	}
	if got, err := w.store.SessionByToken(ctx, hash); err != nil || got.TenantID == nil || *got.TenantID != w.a.ID || got.Data["n"] != "a2" {
		t.Fatalf("session back in A: %+v %v", got, err)
	}
}

// A session opens only in a tenant its user belongs to.
func TestCreateSessionOnlyInTheUsersTenants(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	_, hash := tenants.NewToken()
	_, err := w.store.CreateSession(ctx, tenants.NewSession{TokenHash: hash, UserID: w.ann.ID, TenantID: w.b.ID, ExpiresAt: farFuture()})
	if !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("Ann's session opened in B: %v, want not found", err)
	}
	if _, err := w.store.SessionByToken(ctx, hash); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("a refused session was stored: %v", err)
	}
}
