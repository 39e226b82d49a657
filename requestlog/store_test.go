package requestlog_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db/dbtest"
	"mailvet/requestlog"
)

// A tenant's List shows its own requests only, to its owners and admins;
// row-level security hides them from another tenant's transaction too.
// The admin console's ListAll sees every tenant's, or one's.
func TestListIsPerTenantAndListAllSeesEvery(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a, b := newTenant(t, d), newTenant(t, d)
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Every: time.Hour})
	for i := range 3 {
		w.Record(entry(a, i))
	}
	shared := entry(b, 0) // the same request id in both tenants
	shared.Status, shared.Problem, shared.Route = 404, "not_found", "GET /v1/lists/{id}"
	w.Record(shared)
	if err := w.Close(ctx); err != nil {
		t.Fatal(err)
	}
	store := requestlog.NewStore(d)
	admin := actor.User(uuid.New(), "ann@a.test", actor.RoleAdmin).In(a)

	page, err := store.List(ctx, a, requestlog.Filter{}, admin)
	if err != nil || len(page.Logs) != 3 {
		t.Fatalf("a's log: %d rows, %v; want 3", len(page.Logs), err)
	}
	if page, err = store.List(ctx, a, requestlog.Filter{StatusFrom: 400, StatusTo: 499}, admin); err != nil || len(page.Logs) != 0 {
		t.Fatalf("a's 4xx: %+v, %v; want none (b's 404 is b's)", page.Logs, err)
	}
	page, err = store.List(ctx, a, requestlog.Filter{Limit: 2}, admin)
	if err != nil || len(page.Logs) != 2 || page.Next == "" {
		t.Fatalf("first page: %d rows, next %q, %v", len(page.Logs), page.Next, err)
	}
	rest, err := store.List(ctx, a, requestlog.Filter{Limit: 2, Cursor: page.Next}, admin)
	if err != nil || len(rest.Logs) != 1 || rest.Next != "" || rest.Logs[0].ID == page.Logs[1].ID {
		t.Fatalf("second page: %+v, %v", rest, err)
	}
	if _, err := store.List(ctx, a, requestlog.Filter{Cursor: "nope"}, admin); !errors.Is(err, requestlog.ErrBadCursor) {
		t.Fatalf("a bad cursor: %v", err)
	}
	// Members, and anyone of another tenant, are refused.
	if _, err := store.List(ctx, a, requestlog.Filter{}, actor.User(uuid.New(), "m@a.test", actor.RoleMember).In(a)); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("a member: %v", err)
	}
	if _, err := store.List(ctx, a, requestlog.Filter{}, actor.User(uuid.New(), "o@b.test", actor.RoleOwner).In(b)); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("b's owner reading a's log: %v", err)
	}
	dbtest.RequireHidden(t, d, newTenant(t, d), a, "request_logs") // a viewer with no rows of its own

	all, err := store.ListAll(ctx, requestlog.Filter{RequestID: "req-0"}, actor.Operator())
	if err != nil || len(all.Logs) != 2 {
		t.Fatalf("every tenant's req-0: %d rows, %v; want 2", len(all.Logs), err)
	}
	onlyB, err := store.ListAll(ctx, requestlog.Filter{TenantID: b}, actor.Operator())
	if err != nil || len(onlyB.Logs) != 1 || onlyB.Logs[0].TenantID != b || *onlyB.Logs[0].ProblemCode != "not_found" {
		t.Fatalf("b's log in the console: %+v, %v", onlyB.Logs, err)
	}
	if _, err := store.ListAll(ctx, requestlog.Filter{}, actor.User(uuid.New(), "ann@a.test", actor.RoleOwner).In(a)); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("a tenant's owner read every tenant's log: %v", err)
	}
}
