package tenants_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/tenants"
)

// Each store is written as tenant A and proved closed to tenant B: B's
// people can neither read, list, change nor delete it, through B's tenant
// with A's IDs nor through A's tenant, and a statement with no filter at
// all, run in B's scope, sees none of A's rows (the database's guard).
// Everything answers "not found": A's records' existence is not revealed.

type twoTenants struct {
	fixture
	ann, bob tenants.User
	a, b     tenants.Tenant
}

func newTwoTenants(t *testing.T) twoTenants {
	t.Helper()
	f := setup(t)
	ann, a := f.signUp(t, "Alpha", "ann@alpha.example")
	bob, b := f.signUp(t, "Beta", "bob@beta.example")
	return twoTenants{fixture: f, ann: ann, bob: bob, a: a, b: b}
}

// visibleIn counts the rows of table that tenantID's scope sees, with no
// filter of ours: row-level security alone decides.
func (w twoTenants) visibleIn(t *testing.T, tenantID uuid.UUID, table string) int {
	t.Helper()
	var n int
	err := w.db.Tx(context.Background(), db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.Tx.Tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("%s: %v, want ErrNotFound", what, err)
	}
}

func TestAPIKeysAreIsolated(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	keyA, _, err := w.store.CreateAPIKey(ctx, w.a.ID, tenants.NewKeyInput{Name: "alpha key", Mode: tenants.ModeLive}, actorFor(w.ann).In(w.a.ID))
	if err != nil {
		t.Fatal(err)
	}
	bob, one := actorFor(w.bob).In(w.b.ID), 1
	unlimited := tenants.PlanLimits{RatePerMinute: 1000, Daily: 1000, Monthly: 1000}

	_, err = w.store.APIKeyByID(ctx, w.b.ID, keyA.ID)
	wantNotFound(t, "B reads A's key", err)
	if l, err := w.store.ListAPIKeys(ctx, w.b.ID); err != nil || len(l) != 0 {
		t.Errorf("B lists %d keys (%v), want 0", len(l), err)
	}
	_, err = w.store.SetAPIKeyLimits(ctx, w.b.ID, keyA.ID, tenants.KeyLimits{Daily: &one}, unlimited, bob)
	wantNotFound(t, "B limits A's key", err)
	_, err = w.store.SetAPIKeyLimits(ctx, w.a.ID, keyA.ID, tenants.KeyLimits{Daily: &one}, unlimited, bob)
	wantNotFound(t, "B limits A's key in A's tenant", err)
	_, err = w.store.RevokeAPIKey(ctx, w.b.ID, keyA.ID, bob)
	wantNotFound(t, "B revokes A's key", err)
	_, err = w.store.RevokeAPIKey(ctx, w.a.ID, keyA.ID, bob)
	wantNotFound(t, "B revokes A's key in A's tenant", err)
	_, _, err = w.store.CreateAPIKey(ctx, w.a.ID, tenants.NewKeyInput{Name: "evil", Mode: tenants.ModeLive}, bob)
	wantNotFound(t, "B creates a key in A's tenant", err)
	// A's key acting on B's tenant finds nothing there either.
	_, err = w.store.CreateInvite(ctx, w.b.ID, "evil@alpha.example", actor.RoleMember, keyA.Actor())
	wantNotFound(t, "A's key invites into B's tenant", err)
	wantNotFound(t, "A's key removes Bob", w.store.RemoveMember(ctx, w.b.ID, w.bob.ID, keyA.Actor()))

	if n := w.visibleIn(t, w.b.ID, "api_keys"); n != 0 {
		t.Errorf("B's scope sees %d api_keys rows, want 0", n)
	}
	k, err := w.store.APIKeyByID(ctx, w.a.ID, keyA.ID)
	if err != nil || k.RevokedAt != nil || k.DailyLimit != nil {
		t.Fatalf("A's key changed: %+v %v", k, err)
	}
	if n := w.visibleIn(t, w.a.ID, "api_keys"); n != 1 {
		t.Fatalf("A's scope sees %d api_keys rows, want 1", n)
	}
}

func TestInvitesAreIsolated(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	invA, err := w.store.CreateInvite(ctx, w.a.ID, "new@alpha.example", actor.RoleMember, actorFor(w.ann).In(w.a.ID))
	if err != nil {
		t.Fatal(err)
	}
	bob := actorFor(w.bob).In(w.b.ID)

	if l, err := w.store.ListInvites(ctx, w.b.ID); err != nil || len(l) != 0 {
		t.Errorf("B lists %d invites (%v), want 0", len(l), err)
	}
	wantNotFound(t, "B revokes A's invite", w.store.RevokeInvite(ctx, w.b.ID, invA.ID, bob))
	wantNotFound(t, "B revokes A's invite in A's tenant", w.store.RevokeInvite(ctx, w.a.ID, invA.ID, bob))
	_, err = w.store.CreateInvite(ctx, w.a.ID, "evil@beta.example", actor.RoleAdmin, bob)
	wantNotFound(t, "B invites into A's tenant", err)

	if n := w.visibleIn(t, w.b.ID, "invites"); n != 0 {
		t.Errorf("B's scope sees %d invites rows, want 0", n)
	}
	if invs, err := w.store.ListInvites(ctx, w.a.ID); err != nil || len(invs) != 1 || invs[0].ID != invA.ID {
		t.Fatalf("A's invites: %+v %v", invs, err)
	}
}

func TestMembersAreIsolated(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	bob := actorFor(w.bob).In(w.b.ID)

	if l, err := w.store.ListMembers(ctx, w.b.ID); err != nil || len(l) != 1 || l[0].UserID != w.bob.ID {
		t.Errorf("B lists members %+v (%v), want Bob alone", l, err)
	}
	_, err := w.store.RoleOf(ctx, w.b.ID, w.ann.ID)
	wantNotFound(t, "B reads Ann's role", err)
	wantNotFound(t, "B changes Ann's role", w.store.ChangeRole(ctx, w.b.ID, w.ann.ID, actor.RoleMember, bob))
	wantNotFound(t, "B removes Ann", w.store.RemoveMember(ctx, w.b.ID, w.ann.ID, bob))
	wantNotFound(t, "B changes Ann's role in A's tenant", w.store.ChangeRole(ctx, w.a.ID, w.ann.ID, actor.RoleMember, bob))
	wantNotFound(t, "B removes Ann from A's tenant", w.store.RemoveMember(ctx, w.a.ID, w.ann.ID, bob))

	if n := w.visibleIn(t, w.b.ID, "memberships"); n != 1 {
		t.Errorf("B's scope sees %d memberships rows, want 1 (Bob's)", n)
	}
	if role, err := w.store.RoleOf(ctx, w.a.ID, w.ann.ID); err != nil || role != actor.RoleOwner {
		t.Fatalf("A's owner is now %q (%v)", role, err)
	}
}

func TestSessionsAreIsolated(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	_, hash := tenants.NewToken()
	sessA, err := w.store.CreateSession(ctx, tenants.NewSession{TokenHash: hash, UserID: w.ann.ID, TenantID: w.a.ID, ExpiresAt: farFuture()})
	if err != nil {
		t.Fatal(err)
	}
	bob := actorFor(w.bob).In(w.b.ID)

	if l, err := w.store.ListSessions(ctx, w.bob.ID); err != nil || len(l) != 0 {
		t.Errorf("Bob lists %d sessions (%v), want 0", len(l), err)
	}
	wantNotFound(t, "Bob ends Ann's session as his", w.store.RevokeSession(ctx, w.bob.ID, sessA.ID, bob))
	if err := w.store.RevokeSession(ctx, w.ann.ID, sessA.ID, bob); !errors.Is(err, tenants.ErrForbidden) {
		t.Errorf("Bob ends Ann's session as hers: %v, want ErrForbidden", err)
	}
	if err := w.store.RevokeAllSessions(ctx, w.ann.ID, bob); !errors.Is(err, tenants.ErrForbidden) {
		t.Errorf("Bob signs Ann out everywhere: %v, want ErrForbidden", err)
	}
	wantNotFound(t, "B removes Ann (and her sessions)", w.store.RemoveMember(ctx, w.b.ID, w.ann.ID, bob))

	if n := w.visibleIn(t, w.b.ID, "sessions"); n != 0 {
		t.Errorf("B's scope sees %d sessions rows, want 0", n)
	}
	if got, err := w.store.SessionByToken(ctx, hash); err != nil || got.ID != sessA.ID {
		t.Fatalf("Ann's session: %+v %v", got, err)
	}
}

func TestSettingsAreIsolated(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	bob := actorFor(w.bob).In(w.b.ID)
	settings := tenants.Settings{TechnicalEmail: "ops@beta.example", CacheTTLDays: -1}

	_, err := w.store.UpdateTenant(ctx, w.a.ID, "Pwned", settings, bob)
	wantNotFound(t, "B renames A's tenant", err)
	if _, err := w.store.UpdateTenant(ctx, w.b.ID, "Beta 2", settings, bob); err != nil {
		t.Fatal(err)
	}
	tn, err := w.store.TenantByID(ctx, w.a.ID)
	if err != nil || tn.Name != "Alpha" || tn.Settings != (tenants.Settings{}) {
		t.Fatalf("A's tenant changed: %+v %v", tn, err)
	}
	if p, err := w.store.BatchPolicy(ctx, w.a.ID); err != nil || p.CacheTTL != tenants.DefaultCacheTTLDays*24*time.Hour {
		t.Fatalf("A's cache TTL %v %v", p.CacheTTL, err)
	}
	// Audit events of A (sign-up, tenant creation) stay A's.
	if n := w.visibleIn(t, w.b.ID, "audit_events WHERE tenant_id <> '"+w.b.ID.String()+"'"); n != 0 {
		t.Errorf("B's scope sees %d of A's audit events", n)
	}
}
