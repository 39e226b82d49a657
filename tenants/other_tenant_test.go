package tenants_test

import (
	"context"
	"testing"

	"mailvet/actor"
	"mailvet/tenants"
)

// A user who belongs to A and B acts in one of them at a time: their actor
// for B, given A's tenant id, finds nothing there, although the database
// holds their membership of A (actor.RequireIn, beside the database's
// check). As A's actor they manage A.
func TestActorBuiltForAnotherTenantFindsNothing(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	if _, err := w.store.CreateInvite(ctx, w.a.ID, w.bob.Email, actor.RoleAdmin, actorFor(w.ann).In(w.a.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.AcceptInvite(ctx, tokenFrom(t, w.lastLink(t, w.bob.Email)), w.bob.ID, actorFor(w.bob)); err != nil {
		t.Fatal(err)
	}
	bobInB := actorFor(w.bob).In(w.b.ID)
	_, err := w.store.CreateInvite(ctx, w.a.ID, "evil@beta.example", actor.RoleMember, bobInB)
	wantNotFound(t, "Bob in B invites into A", err)
	_, _, err = w.store.CreateAPIKey(ctx, w.a.ID, tenants.NewKeyInput{Name: "evil", Mode: tenants.ModeLive}, bobInB)
	wantNotFound(t, "Bob in B makes a key of A", err)
	if invs, err := w.store.ListInvites(ctx, w.a.ID); err != nil || len(invs) != 0 {
		t.Fatalf("A's invites: %+v %v", invs, err)
	}
	if keys, err := w.store.ListAPIKeys(ctx, w.a.ID); err != nil || len(keys) != 0 {
		t.Fatalf("A's keys: %+v %v", keys, err)
	}
	if _, err := w.store.CreateInvite(ctx, w.a.ID, "new@alpha.example", actor.RoleMember, actorFor(w.bob).In(w.a.ID)); err != nil {
		t.Fatalf("Bob in A invites into A: %v", err)
	}
}
