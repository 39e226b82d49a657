package lists_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// reach tries every way in to one list as by in tenant, and reports each
// one that did not answer ErrNotFound.
func reach(t *testing.T, e env, tenant, id uuid.UUID, by actor.Actor) {
	t.Helper()
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, lists.ErrNotFound) {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	_, err := e.store.Get(ctx, tenant, id, by)
	check("get", err)
	if p, err := e.store.ListAll(ctx, tenant, "", 50, by); err != nil || len(p.Lists) != 0 {
		t.Errorf("list all: %d lists (%v), want none", len(p.Lists), err)
	}
	_, err = e.store.Results(ctx, tenant, id, "", "", "", 10, by)
	check("results", err)
	for _, rows := range []string{lists.RowsAll, lists.RowsUnique, lists.RowsDuplicates, lists.RowsSkipped} {
		check("export "+rows, e.store.Export(ctx, tenant, id, lists.ExportOptions{Rows: rows}, by, io.Discard))
	}
	_, err = e.store.Cancel(ctx, tenant, id, by)
	check("cancel", err)
	check("delete", e.store.Delete(ctx, tenant, id, by))
}

// Tenant B, even as its owner, can neither get, list, read the results of,
// export, cancel nor delete A's list; nor can an operator looking in B.
// The list comes through unchanged.
func TestStoreIsolation(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{})
	e := setup(t, world, lists.Options{})
	a, b := e.workspace(t, "alpha"), e.workspace(t, "beta")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "a", Emails: []string{"x@y.test", "x@y.test", "bad"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, by := range map[string]actor.Actor{"B's owner": b.Owner, "B's live key": e.key(t, b, false), "operator": actor.Operator()} {
		t.Run(name, func(t *testing.T) { reach(t, e, b.ID, l.ID, by) })
	}
	// A's owner acting in B's name (a forged tenant id) finds nothing
	// either, not even an empty page of lists.
	t.Run("A's owner in B", func(t *testing.T) { refused(t, e, b.ID, l.ID, a.Owner) })
	if got, err := e.store.Get(ctx, a.ID, l.ID, a.Owner); err != nil || got.Status != lists.StatusQueued || got.TotalRows != 3 {
		t.Fatalf("A's list changed: %+v %v", got, err)
	}
}

// Test and live mode are apart, as in Stripe: a test key sees and changes
// only test-mode lists, a live key and the pages only live ones.
func TestModesAreApart(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{})
	e := setup(t, world, lists.Options{})
	a := e.workspace(t, "alpha")
	live, test := e.key(t, a, false), e.key(t, a, true)
	ctx := context.Background()
	upload := func(by actor.Actor, name string) lists.List {
		t.Helper()
		l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: by, Name: name, Emails: []string{"deliverable@y.test", "bad"}})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	liveList, testList := upload(live, "live"), upload(test, "test")
	if liveList.TestMode || !testList.TestMode {
		t.Fatalf("modes: live list %v, test list %v", liveList.TestMode, testList.TestMode)
	}
	t.Run("test key on a live list", func(t *testing.T) { reachOnly(t, e, a.ID, test, testList.ID, liveList.ID) })
	t.Run("live key on a test list", func(t *testing.T) { reachOnly(t, e, a.ID, live, liveList.ID, testList.ID) })
	t.Run("owner on a test list", func(t *testing.T) { reachOnly(t, e, a.ID, a.Owner, liveList.ID, testList.ID) })
	for _, l := range []lists.List{liveList, testList} {
		if n := e.count(t, `SELECT count(*) FROM lists WHERE id = ? AND status = 'queued'`, l.ID); n != 1 {
			t.Fatalf("list %s changed or gone", l.Name)
		}
	}
}

// reachOnly checks that by lists exactly own and cannot reach other.
func reachOnly(t *testing.T, e env, tenant uuid.UUID, by actor.Actor, own, other uuid.UUID) {
	t.Helper()
	p, err := e.store.ListAll(context.Background(), tenant, "", 50, by)
	if err != nil || len(p.Lists) != 1 || p.Lists[0].ID != own {
		t.Fatalf("list all: %+v %v, want only %s", p.Lists, err, own)
	}
	if _, err := e.store.Get(context.Background(), tenant, own, by); err != nil {
		t.Fatalf("get own list: %v", err)
	}
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, lists.ErrNotFound) {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	_, err = e.store.Get(ctx, tenant, other, by)
	check("get", err)
	_, err = e.store.Results(ctx, tenant, other, "", "", "", 10, by)
	check("results", err)
	check("export", e.store.Export(ctx, tenant, other, lists.ExportOptions{}, by, io.Discard))
	_, err = e.store.Cancel(ctx, tenant, other, by)
	check("cancel", err)
	check("delete", e.store.Delete(ctx, tenant, other, by))
}

// refused checks that every way in to one list, as by in tenant, answers
// ErrNotFound: listing too, which an actor of another tenant may not do
// at all.
func refused(t *testing.T, e env, tenant, id uuid.UUID, by actor.Actor) {
	t.Helper()
	ctx := context.Background()
	check := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, lists.ErrNotFound) {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	_, err := e.store.Get(ctx, tenant, id, by)
	check("get", err)
	p, err := e.store.ListAll(ctx, tenant, "", 50, by)
	check("list all", err)
	if len(p.Lists) != 0 {
		t.Errorf("list all: %d lists, want none", len(p.Lists))
	}
	_, err = e.store.Results(ctx, tenant, id, "", "", "", 10, by)
	check("results", err)
	for _, rows := range []string{lists.RowsAll, lists.RowsUnique, lists.RowsDuplicates, lists.RowsSkipped} {
		check("export "+rows, e.store.Export(ctx, tenant, id, lists.ExportOptions{Rows: rows}, by, io.Discard))
	}
	_, err = e.store.Cancel(ctx, tenant, id, by)
	check("cancel", err)
	check("delete", e.store.Delete(ctx, tenant, id, by))
}

// B's owner or B's key naming A's tenant (the domain does not rely on the
// app pairing an actor with its own tenant) finds nothing there and
// changes nothing, although row-level security would show A's rows to a
// transaction in A's scope.
func TestActorOfAnotherTenantFindsNothing(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{})
	e := setup(t, world, lists.Options{})
	a, b := e.workspace(t, "alpha"), e.workspace(t, "beta")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "a", Emails: []string{"x@y.test", "x@y.test", "bad"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, by := range map[string]actor.Actor{"B's owner": b.Owner, "B's live key": e.key(t, b, false)} {
		t.Run(name, func(t *testing.T) { refused(t, e, a.ID, l.ID, by) })
	}
	if _, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: b.Owner, Name: "b in a", Emails: []string{"z@y.test"}}); !errors.Is(err, lists.ErrNotFound) {
		t.Errorf("B's owner uploads into A: %v, want not found", err)
	}
	if got, err := e.store.Get(ctx, a.ID, l.ID, a.Owner); err != nil || got.Status != lists.StatusQueued || got.TotalRows != 3 {
		t.Fatalf("A's list changed: %+v %v", got, err)
	}
	if n := e.count(t, `SELECT count(*) FROM lists WHERE tenant_id = ?`, a.ID); n != 1 {
		t.Fatalf("A has %d lists, want its one", n)
	}
	// Only A's own upload is in A's log: B's refused attempts left none.
	if n := e.count(t, `SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action LIKE 'list.%' AND action <> 'list.created'`, a.ID); n != 0 {
		t.Fatalf("%d list events recorded in A", n)
	}
	if n := e.count(t, `SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action = 'list.created'`, a.ID); n != 1 {
		t.Fatalf("%d list.created events in A, want A's one upload", n)
	}
}
