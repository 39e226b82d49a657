package tenants_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/tenants"
)

func farFuture() time.Time { return time.Now().Add(24 * time.Hour) }

func TestInviteAcceptAndRoles(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")

	inv, err := f.store.CreateInvite(ctx, tn.ID, "Mia@Example.com", actor.RoleMember, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	raw := tokenFrom(t, f.lastLink(t, "Mia@example.com"))
	pending, err := f.store.InviteByToken(ctx, raw)
	if err != nil || pending.TenantName != "Acme" || pending.ID != inv.ID {
		t.Fatalf("invite by token: %+v %v", pending, err)
	}

	// Someone signed in with another address cannot take it.
	other, _ := f.signUp(t, "Other", "other@example.com")
	if _, err := f.store.AcceptInvite(ctx, raw, other.ID, actorFor(other)); !errors.Is(err, tenants.ErrInviteEmail) {
		t.Fatalf("accept with other email: %v", err)
	}
	mia, tid, err := f.store.AcceptInviteAsNewUser(ctx, raw, "Mia", "mia's own passphrase", visitor())
	if err != nil || tid != tn.ID || !mia.Verified() {
		t.Fatalf("accept as new user: %+v %v", mia, err)
	}
	if _, err := f.store.InviteByToken(ctx, raw); !errors.Is(err, tenants.ErrInvalidLink) {
		t.Fatalf("accepted invite still usable: %v", err)
	}

	// A member cannot manage.
	if _, err := f.store.CreateInvite(ctx, tn.ID, "x@example.com", actor.RoleMember, actorFor(mia).In(tn.ID)); !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("member invites: %v", err)
	}
	if _, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actorFor(mia).In(tn.ID)); !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("member creates key: %v", err)
	}
	if err := f.store.ChangeRole(ctx, tn.ID, mia.ID, actor.RoleOwner, actorFor(mia).In(tn.ID)); !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("member promotes self: %v", err)
	}

	// Owner promotes Mia to admin; an admin cannot touch the owner.
	if err := f.store.ChangeRole(ctx, tn.ID, mia.ID, actor.RoleAdmin, actorFor(owner).In(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ChangeRole(ctx, tn.ID, owner.ID, actor.RoleMember, actorFor(mia).In(tn.ID)); !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("admin demotes owner: %v", err)
	}
	if err := f.store.RemoveMember(ctx, tn.ID, owner.ID, actorFor(mia).In(tn.ID)); !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("admin removes owner: %v", err)
	}
	// The last owner stays.
	if err := f.store.ChangeRole(ctx, tn.ID, owner.ID, actor.RoleAdmin, actorFor(owner).In(tn.ID)); !errors.Is(err, tenants.ErrLastOwner) {
		t.Fatalf("demote last owner: %v", err)
	}
	if err := f.store.RemoveMember(ctx, tn.ID, owner.ID, actorFor(owner).In(tn.ID)); !errors.Is(err, tenants.ErrLastOwner) {
		t.Fatalf("remove last owner: %v", err)
	}
	// With a second owner, the first may step down.
	if err := f.store.ChangeRole(ctx, tn.ID, mia.ID, actor.RoleOwner, actorFor(owner).In(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if err := f.store.ChangeRole(ctx, tn.ID, owner.ID, actor.RoleMember, actorFor(owner).In(tn.ID)); err != nil {
		t.Fatal(err)
	}
	members, err := f.store.ListMembers(ctx, tn.ID)
	if err != nil || len(members) != 2 || members[0].Email != "Mia@example.com" || members[0].Role != actor.RoleOwner {
		t.Fatalf("members %+v %v", members, err)
	}
	if err := f.store.RemoveMember(ctx, tn.ID, owner.ID, actorFor(mia).In(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RoleOf(ctx, tn.ID, owner.ID); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("removed member still has a role: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action IN ('invite.created','invite.accepted','member.role_changed','member.removed')", tn.ID); n != 6 {
		t.Fatalf("team audit events = %d, want 6", n)
	}
}

func TestInviteExistingMemberAndRevoke(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	if _, err := f.store.CreateInvite(ctx, tn.ID, "OWNER@example.com", actor.RoleMember, actorFor(owner).In(tn.ID)); !errors.Is(err, tenants.ErrAlreadyMember) {
		t.Fatalf("invite existing member: %v", err)
	}
	inv, err := f.store.CreateInvite(ctx, tn.ID, "zed@example.com", actor.RoleAdmin, actorFor(owner).In(tn.ID))
	if err != nil {
		t.Fatal(err)
	}
	raw := tokenFrom(t, f.lastLink(t, "zed@example.com"))
	if err := f.store.RevokeInvite(ctx, tn.ID, inv.ID, actorFor(owner).In(tn.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.InviteByToken(ctx, raw); !errors.Is(err, tenants.ErrInvalidLink) {
		t.Fatalf("revoked invite usable: %v", err)
	}
}

func TestSessionsAndPurge(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	ann, tn := f.signUp(t, "Acme", "ann@example.com")
	bob, _ := f.signUp(t, "Bobs", "bob@example.com")
	_, hash := tenants.NewToken()
	s, err := f.store.CreateSession(ctx, tenants.NewSession{TokenHash: hash, UserID: ann.ID, TenantID: tn.ID, IP: "203.0.113.1", UserAgent: "Firefox", ExpiresAt: farFuture()})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SaveSession(ctx, hash, tn.ID, map[string]any{"flash": "hi"}); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.SessionByToken(ctx, hash)
	if err != nil || got.Data["flash"] != "hi" || *got.TenantID != tn.ID {
		t.Fatalf("session %+v %v", got, err)
	}
	// Bob cannot revoke Ann's session.
	if err := f.store.RevokeSession(ctx, bob.ID, s.ID, actorFor(bob)); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("other user revokes session: %v", err)
	}
	if list, _ := f.store.ListSessions(ctx, bob.ID); len(list) != 0 {
		t.Fatalf("bob lists %d sessions", len(list))
	}
	if err := f.store.RevokeSession(ctx, ann.ID, s.ID, actorFor(ann)); err != nil {
		t.Fatal(err)
	}

	// Purge removes expired sessions and leaves live ones.
	_, expired := tenants.NewToken()
	_, live := tenants.NewToken()
	for _, h := range [][]byte{expired, live} {
		if _, err := f.store.CreateSession(ctx, tenants.NewSession{TokenHash: h, UserID: ann.ID, ExpiresAt: farFuture()}); err != nil {
			t.Fatal(err)
		}
	}
	f.exec(t, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = $1", expired)
	res, err := f.store.PurgeExpired(ctx)
	if err != nil || res.Sessions != 1 {
		t.Fatalf("purge %+v %v", res, err)
	}
	if _, err := f.store.SessionByToken(ctx, live); err != nil {
		t.Fatalf("live session purged: %v", err)
	}
}

// Re-sending an invitation keeps its role unless another is asked for, and
// says it was re-sent; only the newest link works.
func TestReInviteKeepsRole(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	first, err := f.store.CreateInvite(ctx, tn.ID, "zed@example.com", actor.RoleAdmin, by)
	if err != nil {
		t.Fatal(err)
	}
	if first.Resent {
		t.Fatal("a first invitation is not re-sent")
	}
	again, err := f.store.CreateInvite(ctx, tn.ID, "Zed@example.com", "", by)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Resent || again.Role != actor.RoleAdmin {
		t.Fatalf("re-sent invite: resent %v role %s, want true admin", again.Resent, again.Role)
	}
	changed, err := f.store.CreateInvite(ctx, tn.ID, "zed@example.com", actor.RoleMember, by)
	if err != nil {
		t.Fatal(err)
	}
	if !changed.Resent || changed.Role != actor.RoleMember {
		t.Fatalf("re-sent as member: resent %v role %s", changed.Resent, changed.Role)
	}
	invs, err := f.store.ListInvites(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(invs) != 1 || invs[0].ID != changed.ID {
		t.Fatalf("pending invites %+v, want only the newest", invs)
	}
	fresh, err := f.store.CreateInvite(ctx, tn.ID, "new@example.com", "", by)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Resent || fresh.Role != actor.RoleMember {
		t.Fatalf("new invite without a role: resent %v role %s, want member", fresh.Resent, fresh.Role)
	}
	if _, err := f.store.CreateInvite(ctx, tn.ID, "x@example.com", actor.RoleOwner, by); !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("owner invite: %v", err)
	}
}
