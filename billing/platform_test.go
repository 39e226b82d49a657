package billing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/db/dbtest"
)

// An override gives one tenant another plan and its own limits until it
// ends or is cleared; other tenants keep theirs. Limits that do not hold
// together are refused and change nothing; only the platform may set it.
func TestOverrideChangesOneTenantsPlan(t *testing.T) {
	d := dbtest.New(t)
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	ctx := context.Background()
	a, b := newTenant(t, d), newTenant(t, d)
	admin := actor.PlatformAdmin(uuid.Nil, "ops@mailvet.test")

	if err := svc.SetOverride(ctx, a, billing.Override{PlanID: "basic", DailyLimit: 123, Note: "trial of Basic"}, actor.User(uuid.New(), "ann@a.test", actor.RoleOwner).In(a)); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("an owner set an override: %v", err)
	}
	for _, bad := range []billing.Override{
		{PlanID: "basic", Note: ""},
		{PlanID: "gold", Note: "no such plan"},
		{MaxListRows: 5_000, Note: "a list bigger than the free month"},
		{MonthlyIncluded: 2_000, Note: "more included than the ceiling"},
		{PlanID: "basic", Note: "ended", EndsAt: ptr(time.Now().Add(-time.Hour))},
	} {
		if err := svc.SetOverride(ctx, a, bad, admin); !errors.Is(err, billing.ErrPlanInput) {
			t.Fatalf("override %+v: %v, want a PlanError", bad, err)
		}
	}
	if p, _ := svc.PlanFor(ctx, a); p.ID != billing.FreePlan || p.DailyLimit != 200 {
		t.Fatalf("a refused override changed the plan: %+v", p)
	}

	ends := time.Now().Add(14 * 24 * time.Hour)
	if err := svc.SetOverride(ctx, a, billing.Override{PlanID: "basic", DailyLimit: 123, Note: "trial of Basic", EndsAt: &ends}, admin); err != nil {
		t.Fatal(err)
	}
	p, err := svc.PlanFor(ctx, a)
	if err != nil || p.ID != "basic" || p.DailyLimit != 123 || p.MonthlyLimit != 250_000 {
		t.Fatalf("plan with the override: %+v (%v)", p, err)
	}
	if o, err := svc.OverrideOf(ctx, a); err != nil || o == nil || o.Note != "trial of Basic" || o.DailyLimit != 123 {
		t.Fatalf("override read back: %+v (%v)", o, err)
	}
	if p, _ := svc.PlanFor(ctx, b); p.ID != billing.FreePlan {
		t.Fatalf("the other tenant's plan: %+v", p)
	}
	// Ended: the plan is the subscription's again.
	exec(t, d, `UPDATE plan_overrides SET ends_at = now() - interval '1 second' WHERE tenant_id = ?`, a)
	svc.ForgetPlan(a)
	if p, _ := svc.PlanFor(ctx, a); p.ID != billing.FreePlan {
		t.Fatalf("after the override ended: %+v", p)
	}
	if err := svc.ClearOverride(ctx, a, admin); err != nil {
		t.Fatal(err)
	}
}

// A platform admin edits a plan's row; limits that do not hold together
// are refused.
func TestUpdatePlan(t *testing.T) {
	d := dbtest.New(t)
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	ctx := context.Background()
	admin := actor.PlatformAdmin(uuid.Nil, "ops@mailvet.test")
	plans, err := svc.Plans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	free := plans[0]
	bad := free
	bad.MaxListRows = free.MonthlyLimit + 1
	if _, err := svc.UpdatePlan(ctx, bad, admin); !errors.Is(err, billing.ErrPlanInput) {
		t.Fatalf("a list bigger than the month: %v", err)
	}
	// A rate the key limiter cannot keep (past a minute it would allow
	// far fewer requests than it says) is refused, naming the bound.
	fast := free
	fast.RatePerMinute = billing.MaxRatePerMinute + 1
	var pe *billing.PlanError
	if _, err := svc.UpdatePlan(ctx, fast, admin); !errors.As(err, &pe) || !strings.Contains(pe.Error(), "200000") {
		t.Fatalf("a rate over the limiter's bound: %v", err)
	}
	free.DailyLimit = 300
	if _, err := svc.UpdatePlan(ctx, free, actor.Operator()); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.UpdatePlan(ctx, free, actor.System("job")); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("a job edited a plan: %v", err)
	}
	tenant := newTenant(t, d)
	if p, _ := svc.PlanFor(ctx, tenant); p.DailyLimit != 300 {
		t.Fatalf("the edited plan: %+v", p)
	}
}

func ptr[T any](v T) *T { return &v }
