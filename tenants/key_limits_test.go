package tenants_test

import (
	"context"
	"errors"
	"testing"

	"mailvet/actor"
	"mailvet/tenants"
)

// "A key's own limit is at most its plan's" is the domain's rule: a higher
// (or a non-positive) limit is refused with an error naming the limit, and
// nothing is written.
func TestKeyLimitsStayWithinThePlan(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	k, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, by)
	if err != nil {
		t.Fatal(err)
	}
	plan := tenants.PlanLimits{RatePerMinute: 60, Daily: 200, Monthly: 1000}
	n := func(v int) *int { return &v }

	for _, c := range []struct {
		lim   tenants.KeyLimits
		limit string
		max   int
	}{
		{tenants.KeyLimits{RatePerMinute: n(61)}, "rate_per_minute", 60},
		{tenants.KeyLimits{Daily: n(201)}, "daily_limit", 200},
		{tenants.KeyLimits{Daily: n(10), Monthly: n(1001)}, "monthly_limit", 1000},
		{tenants.KeyLimits{Daily: n(0)}, "daily_limit", 200},
		{tenants.KeyLimits{Monthly: n(-5)}, "monthly_limit", 1000},
	} {
		_, err := f.store.SetAPIKeyLimits(ctx, tn.ID, k.ID, c.lim, plan, by)
		var le *tenants.KeyLimitError
		if !errors.Is(err, tenants.ErrKeyLimit) || !errors.As(err, &le) || le.Limit != c.limit || le.Max != c.max {
			t.Errorf("limits %+v: %v, want a KeyLimitError for %s (max %d)", c.lim, err, c.limit, c.max)
		}
	}
	if got, _ := f.store.APIKeyByID(ctx, tn.ID, k.ID); got.RatePerMinute != nil || got.DailyLimit != nil || got.MonthlyLimit != nil {
		t.Fatalf("refused limits were written: %+v", got)
	}

	// The plan's own limits, and blanks, are fine.
	got, err := f.store.SetAPIKeyLimits(ctx, tn.ID, k.ID, tenants.KeyLimits{RatePerMinute: n(60), Daily: n(200)}, plan, by)
	if err != nil || *got.RatePerMinute != 60 || *got.DailyLimit != 200 || got.MonthlyLimit != nil {
		t.Fatalf("limits at the plan's: %+v %v", got, err)
	}
}

// The key's mode decides test mode, in one place, and the key acts as
// itself.
func TestKeyModeDecidesTestMode(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	for _, mode := range []tenants.KeyMode{tenants.ModeLive, tenants.ModeTest} {
		_, raw, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: string(mode), Mode: mode}, actorFor(owner).In(tn.ID))
		if err != nil {
			t.Fatal(err)
		}
		k, _, err := f.store.AuthenticateKey(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		a := k.Actor()
		if k.TestMode() != (mode == tenants.ModeTest) || a.TestMode != k.TestMode() || a.APIKeyID != k.ID || a.TenantID != tn.ID || a.RequireIn(tn.ID, actor.RoleAdmin) != nil {
			t.Errorf("%s key: TestMode %v, actor %+v", mode, k.TestMode(), a)
		}
	}
}
