package lists_test

import (
	"context"
	"errors"
	"testing"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// Cancel takes any member, Delete an admin or owner (an API key acts as an
// admin), an actor without a kind can do nothing, and each change is in
// the audit log with who made it.
func TestCancelAndDeleteTakeARoleAndAreAudited(t *testing.T) {
	e := setup(t, mailsim.Start(t, mailsim.Config{}), lists.Options{})
	a := e.workspace(t, "alpha")
	member, admin, key := e.member(t, a, "mia", actor.RoleMember), e.member(t, a, "ada", actor.RoleAdmin), e.key(t, a, false)
	ctx := context.Background()
	upload := func(name string) lists.List {
		t.Helper()
		l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: member, Name: name, Emails: []string{"ann@y.test"}})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	first, second := upload("first"), upload("second")

	if _, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, Name: "nobody", Emails: []string{"ann@y.test"}}); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("create without an actor: %v", err)
	}
	if _, err := e.store.Get(ctx, a.ID, first.ID, actor.Actor{}); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("get without an actor: %v", err)
	}
	if _, err := e.store.Cancel(ctx, a.ID, first.ID, actor.Actor{}); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("cancel without an actor: %v", err)
	}
	if err := e.store.Delete(ctx, a.ID, first.ID, actor.Actor{}); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("delete without an actor: %v", err)
	}
	if err := e.store.Delete(ctx, a.ID, first.ID, member); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("delete by a member: %v", err)
	}
	if _, err := e.store.Cancel(ctx, a.ID, first.ID, member.From("203.0.113.7", "test agent")); err != nil {
		t.Fatalf("cancel by a member: %v", err)
	}
	if err := e.store.Delete(ctx, a.ID, first.ID, admin); err != nil {
		t.Fatalf("delete by an admin: %v", err)
	}
	if err := e.store.Delete(ctx, a.ID, second.ID, key); err != nil {
		t.Fatalf("delete by an API key: %v", err)
	}

	var events []audit.Event
	if err := e.d.Tx(ctx, db.Tenant(a.ID), func(ctx context.Context, tx db.Tx) error {
		var err error
		events, err = audit.List(ctx, tx, a.ID, 50)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	type line struct {
		action, target string
		kind           actor.Kind
		user, key      bool
	}
	want := map[line]bool{
		{lists.AuditCreated, first.ID.String(), actor.KindUser, true, false}:    true,
		{lists.AuditCreated, second.ID.String(), actor.KindUser, true, false}:   true,
		{lists.AuditCancelled, first.ID.String(), actor.KindUser, true, false}:  true,
		{lists.AuditDeleted, first.ID.String(), actor.KindUser, true, false}:    true,
		{lists.AuditDeleted, second.ID.String(), actor.KindAPIKey, false, true}: true,
	}
	for _, ev := range events {
		if ev.TargetType != "list" {
			continue
		}
		l := line{ev.Action, ev.TargetID, ev.ActorKind, ev.ActorID != nil, ev.ActorKey != nil}
		if !want[l] {
			t.Errorf("unexpected audit event %+v", ev)
		}
		delete(want, l)
		if ev.Action == lists.AuditCancelled && (ev.IP != "203.0.113.7" || *ev.ActorID != member.UserID) {
			t.Errorf("cancel event %+v: want the member and their address", ev)
		}
	}
	for l := range want {
		t.Errorf("missing audit event %+v", l)
	}
}

// Deleting an unfinished list gives back the quota it reserved for the
// rows it did not verify, as cancelling does; a list cancelled and then
// deleted is refunded once.
func TestDeleteGivesBackTheReservation(t *testing.T) {
	e := setup(t, mailsim.Start(t, mailsim.Config{}), lists.Options{})
	svc := billing.NewService(e.d, nil, 0, func(p string) string { return p })
	e.store.WithQuota(svc)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	used := func() int {
		t.Helper()
		q, err := svc.Usage(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		return q.MonthUsed
	}
	upload := func(name string) lists.List {
		t.Helper()
		l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: name, Emails: append(emails("y.test", 40), "bad")})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	kept, deleted, cancelled := upload("kept"), upload("deleted"), upload("cancelled")
	if n := used(); n != 120 {
		t.Fatalf("three lists of 40 addresses reserved %d", n)
	}
	if err := e.store.Delete(ctx, a.ID, deleted.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if n := used(); n != 80 {
		t.Fatalf("after deleting a queued list %d are reserved, want 80", n)
	}
	if _, err := e.store.Cancel(ctx, a.ID, cancelled.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Delete(ctx, a.ID, cancelled.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if n := used(); n != 40 {
		t.Fatalf("after cancelling and deleting a list %d are reserved, want 40 (the kept list's)", n)
	}
	if _, err := e.store.Get(ctx, a.ID, kept.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
}
