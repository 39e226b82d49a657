package tenants_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/tenants"
)

// An actor without a kind is refused by every state-changing method: no
// zero value means "allowed" (the operator CLI used to be an actor without
// a user, which lockMembers took for an owner).
func TestZeroActorIsRefusedEverywhere(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	mia := f.addMember(t, tn.ID, owner, "mia@example.com", actor.RoleMember)
	key, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	inv, err := f.store.CreateInvite(ctx, tn.ID, "zed@example.com", actor.RoleMember, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	var nobody actor.Actor
	one := 1
	for what, call := range map[string]func() error{
		"create key": func() error {
			_, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, nobody)
			return err
		},
		"revoke key": func() error { _, err := f.store.RevokeAPIKey(ctx, tn.ID, key.ID, nobody); return err },
		"limit key": func() error {
			_, err := f.store.SetAPIKeyLimits(ctx, tn.ID, key.ID, tenants.KeyLimits{Daily: &one}, tenants.PlanLimits{Daily: 10}, nobody)
			return err
		},
		"invite": func() error {
			_, err := f.store.CreateInvite(ctx, tn.ID, "x@example.com", actor.RoleMember, nobody)
			return err
		},
		"revoke invite": func() error { return f.store.RevokeInvite(ctx, tn.ID, inv.ID, nobody) },
		"change role":   func() error { return f.store.ChangeRole(ctx, tn.ID, mia.ID, actor.RoleAdmin, nobody) },
		"remove member": func() error { return f.store.RemoveMember(ctx, tn.ID, mia.ID, nobody) },
		"update tenant": func() error { _, err := f.store.UpdateTenant(ctx, tn.ID, "X", tenants.Settings{}, nobody); return err },
		"create tenant": func() error { _, err := f.store.CreateTenant(ctx, "X", owner.ID, nobody); return err },
		"create user": func() error {
			_, err := f.store.CreateUser(ctx, "x@example.com", "X", goodPassword, true, nobody)
			return err
		},
		"revoke session": func() error { return f.store.RevokeSession(ctx, owner.ID, uuid.New(), nobody) },
		"sign out all":   func() error { return f.store.RevokeAllSessions(ctx, owner.ID, nobody) },
		"change password": func() error {
			return f.store.ChangePassword(ctx, owner.ID, goodPassword, "a new passphrase", uuid.Nil, nobody)
		},
		"accept invite":  func() error { _, err := f.store.AcceptInvite(ctx, "x", owner.ID, nobody); return err },
		"record sign-in": func() error { return f.store.RecordSignIn(ctx, tn.ID, nobody) },
	} {
		if err := call(); !errors.Is(err, actor.ErrForbidden) {
			t.Errorf("%s with a zero actor: %v, want actor.ErrForbidden", what, err)
		}
	}
	if role, _ := f.store.RoleOf(ctx, tn.ID, mia.ID); role != actor.RoleMember {
		t.Fatalf("Mia's role is now %q", role)
	}
	if k, _ := f.store.APIKeyByID(ctx, tn.ID, key.ID); k.RevokedAt != nil || k.DailyLimit != nil {
		t.Fatalf("key changed: %+v", k)
	}
}

// The operator CLI acts as an owner because actor.Operator() says so; it
// alone creates users and tenants.
func TestOperatorActsAsOwner(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	op := actor.Operator()
	u, err := f.store.CreateUser(ctx, "ops@example.com", "Ops", goodPassword, false, op)
	if err != nil || !u.Verified() {
		t.Fatalf("create user: %+v %v", u, err)
	}
	tn, err := f.store.CreateTenant(ctx, " Ops Co ", u.ID, op)
	if err != nil || tn.Name != "Ops Co" || tn.Slug != "ops-co" {
		t.Fatalf("create tenant: %+v %v", tn, err)
	}
	if role, err := f.store.RoleOf(ctx, tn.ID, u.ID); err != nil || role != actor.RoleOwner {
		t.Fatalf("owner role %q %v", role, err)
	}
	mia := f.addMember(t, tn.ID, u, "mia@example.com", actor.RoleMember)
	if err := f.store.ChangeRole(ctx, tn.ID, mia.ID, actor.RoleOwner, op); err != nil {
		t.Fatalf("operator makes an owner: %v", err)
	}
	if err := f.store.RemoveMember(ctx, tn.ID, u.ID, op); err != nil {
		t.Fatalf("operator removes an owner: %v", err)
	}
	if _, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "cli", Mode: tenants.ModeTest}, op); err != nil {
		t.Fatalf("operator creates a key: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND actor_kind = 'operator'", tn.ID); n != 4 {
		t.Fatalf("operator audit events = %d, want 4 (tenant, role, removal, key)", n)
	}

	// A signed-in user cannot do what only the operator does.
	if _, err := f.store.CreateTenant(ctx, "Mine", mia.ID, actorFor(mia)); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("user creates a tenant: %v", err)
	}
	if _, err := f.store.CreateUser(ctx, "x@example.com", "X", goodPassword, true, actorFor(mia)); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("user creates a platform admin: %v", err)
	}
}

// A user's role is the one the database holds, whatever the actor claims;
// an API key acts as an admin, which may not touch owners.
func TestRoleComesFromTheDatabase(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	mia := f.addMember(t, tn.ID, owner, "mia@example.com", actor.RoleMember)
	claimsOwner := actor.User(mia.ID, mia.Email, actor.RoleOwner).In(tn.ID)
	if _, err := f.store.CreateInvite(ctx, tn.ID, "x@example.com", actor.RoleMember, claimsOwner); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("member claiming owner invites: %v", err)
	}
	if err := f.store.ChangeRole(ctx, tn.ID, mia.ID, actor.RoleOwner, claimsOwner); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("member claiming owner promotes herself: %v", err)
	}

	key, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.ChangeRole(ctx, tn.ID, owner.ID, actor.RoleMember, key.Actor()); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("API key demotes the owner: %v", err)
	}
	if err := f.store.ChangeRole(ctx, tn.ID, mia.ID, actor.RoleAdmin, key.Actor()); err != nil {
		t.Errorf("API key makes an admin: %v", err)
	}
}

// addMember invites email into tenantID as role and accepts as a new user.
func (f fixture) addMember(t *testing.T, tenantID uuid.UUID, by tenants.User, email string, role actor.Role) tenants.User {
	t.Helper()
	ctx := context.Background()
	if _, err := f.store.CreateInvite(ctx, tenantID, email, role, actorFor(by).In(tenantID)); err != nil {
		t.Fatal(err)
	}
	u, _, err := f.store.AcceptInviteAsNewUser(ctx, tokenFrom(t, f.lastLink(t, email)), "Member", "member's own passphrase", visitor())
	if err != nil {
		t.Fatal(err)
	}
	return u
}
