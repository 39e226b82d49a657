package tenants_test

import (
	"context"
	"errors"
	"testing"

	"mailvet/tenants"
)

// Tenant B's people can neither read, list, change nor delete anything of
// tenant A, even knowing its IDs; everything answers "not found".
func TestTenantIsolation(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	annA, tA := f.signUp(t, "Alpha", "ann@alpha.example")
	bobB, tB := f.signUp(t, "Beta", "bob@beta.example")

	keyA, _, err := f.store.CreateAPIKey(ctx, tA.ID, tenants.NewKeyInput{Name: "alpha key", Mode: tenants.ModeLive}, actorFor(annA))
	if err != nil {
		t.Fatal(err)
	}
	invA, err := f.store.CreateInvite(ctx, tA.ID, "new@alpha.example", tenants.RoleMember, actorFor(annA))
	if err != nil {
		t.Fatal(err)
	}
	bob := actorFor(bobB)

	// Read and list, through B's tenant.
	if _, err := f.store.APIKeyByID(ctx, tB.ID, keyA.ID); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B reads A's key: %v", err)
	}
	for name, n := range map[string]func() int{
		"keys":    func() int { l, _ := f.store.ListAPIKeys(ctx, tB.ID); return len(l) },
		"invites": func() int { l, _ := f.store.ListInvites(ctx, tB.ID); return len(l) },
		"members": func() int { l, _ := f.store.ListMembers(ctx, tB.ID); return len(l) },
	} {
		want := 0
		if name == "members" {
			want = 1 // Bob himself
		}
		if got := n(); got != want {
			t.Errorf("B lists %d %s, want %d", got, name, want)
		}
	}

	// Change and delete, through B's tenant with A's IDs.
	if _, err := f.store.RevokeAPIKey(ctx, tB.ID, keyA.ID, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B revokes A's key: %v", err)
	}
	one := 1
	if _, err := f.store.SetAPIKeyLimits(ctx, tB.ID, keyA.ID, tenants.KeyLimits{Daily: &one}, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B limits A's key: %v", err)
	}
	if _, err := f.store.SetAPIKeyLimits(ctx, tA.ID, keyA.ID, tenants.KeyLimits{Daily: &one}, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B limits A's key in A's tenant: %v", err)
	}
	if err := f.store.RevokeInvite(ctx, tB.ID, invA.ID, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B revokes A's invite: %v", err)
	}
	if err := f.store.ChangeRole(ctx, tB.ID, annA.ID, tenants.RoleMember, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B changes A's owner role: %v", err)
	}
	if err := f.store.RemoveMember(ctx, tB.ID, annA.ID, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B removes A's owner: %v", err)
	}

	// Bob acting on A's tenant directly: he is not a member, so not found.
	if _, err := f.store.RevokeAPIKey(ctx, tA.ID, keyA.ID, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B revokes in A's tenant: %v", err)
	}
	if err := f.store.ChangeRole(ctx, tA.ID, annA.ID, tenants.RoleMember, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B changes role in A's tenant: %v", err)
	}
	if _, err := f.store.CreateInvite(ctx, tA.ID, "evil@beta.example", tenants.RoleAdmin, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B invites into A's tenant: %v", err)
	}
	if _, err := f.store.UpdateTenant(ctx, tA.ID, "Pwned", tenants.Settings{}, bob); !errors.Is(err, tenants.ErrNotFound) {
		t.Errorf("B renames A's tenant: %v", err)
	}

	// A's data is untouched.
	k, err := f.store.APIKeyByID(ctx, tA.ID, keyA.ID)
	if err != nil || k.RevokedAt != nil || k.DailyLimit != nil {
		t.Fatalf("A's key changed: %+v %v", k, err)
	}
	if role, _ := f.store.RoleOf(ctx, tA.ID, annA.ID); role != tenants.RoleOwner {
		t.Fatalf("A's owner is now %s", role)
	}
	if invs, _ := f.store.ListInvites(ctx, tA.ID); len(invs) != 1 {
		t.Fatalf("A's invites: %d", len(invs))
	}
	if tn, _ := f.store.TenantByID(ctx, tA.ID); tn.Name != "Alpha" {
		t.Fatalf("A's tenant renamed to %q", tn.Name)
	}
}
