package tenants_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/tenants"
)

// Operator settings are a platform admin's alone: refused to the
// workspace's own owner, checked field by field, audited with what
// changed, and read back in what the tenant's batches and cache use.
func TestOperatorSettings(t *testing.T) {
	w := newTwoTenants(t)
	ctx := context.Background()
	admin := actor.PlatformAdmin(w.ann.ID, w.ann.Email)
	owner := actorFor(w.bob).In(w.b.ID)

	if _, err := w.store.SetOperatorSettings(ctx, w.b.ID, tenants.OperatorSettings{MaxConnsPerMX: 2}, owner); !errors.Is(err, tenants.ErrForbidden) {
		t.Fatalf("the workspace's owner set its operator settings: %v", err)
	}
	for field, bad := range map[string]tenants.OperatorSettings{
		"max_conns_per_mx":    {MaxConnsPerMX: 51},
		"cache_ttl_min_days":  {CacheTTLMinDays: 366},
		"cache_ttl_max_days":  {CacheTTLMinDays: 30, CacheTTLMaxDays: 7},
		"webhook_allow_cidrs": {WebhookAllowCIDRs: []string{"10.0.0.0/33"}},
	} {
		_, err := w.store.SetOperatorSettings(ctx, w.b.ID, bad, admin)
		wantInputError(t, field, field, err)
	}
	for _, wide := range []string{"0.0.0.0/0", "10.0.0.0/7", "::/0", "fc00::/8"} {
		_, err := w.store.SetOperatorSettings(ctx, w.b.ID, tenants.OperatorSettings{WebhookAllowCIDRs: []string{wide}}, admin)
		wantInputError(t, wide, "webhook_allow_cidrs", err)
	}

	set := tenants.OperatorSettings{MaxConnsPerMX: 2, CacheTTLMinDays: 3, CacheTTLMaxDays: 30,
		WebhookAllowCIDRs: []string{"10.20.1.7/16", " 192.168.5.0/24", "10.20.0.0/16"}}
	tn, err := w.store.SetOperatorSettings(ctx, w.b.ID, set, admin)
	if err != nil {
		t.Fatal(err)
	}
	if got := tn.Operator.WebhookAllowCIDRs; !slices.Equal(got, []string{"10.20.0.0/16", "192.168.5.0/24"}) {
		t.Fatalf("networks kept as %v, want masked, sorted, each once", got)
	}
	p, err := w.store.BatchPolicy(ctx, w.b.ID)
	if err != nil || p.MaxConnsPerMX != 2 || p.CacheTTL != 7*24*time.Hour {
		t.Fatalf("B's batch policy %+v %v, want 2 connections per MX and the default 7 days", p, err)
	}
	if p, err := w.store.BatchPolicy(ctx, w.a.ID); err != nil || p.MaxConnsPerMX != 0 {
		t.Fatalf("A's batch policy %+v %v: B's settings leaked", p, err)
	}
	var changes string
	err = w.db.Tx(ctx, db.Tenant(w.b.ID), func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT changes::text FROM audit_events WHERE tenant_id = ? AND action = ? AND by_support`,
			w.b.ID, "tenant.operator_settings_changed").Scan(&changes)
	})
	if err != nil || changes == "" {
		t.Fatalf("no support audit event on B's log: %v", err)
	}

	// The tenant's own choice is held within the bounds, and a new choice
	// outside them is refused with the bounds named.
	bob := actorFor(w.bob).In(w.b.ID)
	for _, days := range []int{-1, 1, 90} {
		_, err := w.store.UpdateTenant(ctx, w.b.ID, "Beta", tenants.Settings{CacheTTLDays: days}, bob)
		wantInputError(t, "cache days outside the bounds", "cache_ttl_days", err)
	}
	if _, err := w.store.UpdateTenant(ctx, w.b.ID, "Beta", tenants.Settings{CacheTTLDays: 14}, bob); err != nil {
		t.Fatal(err)
	}
	if _, err := w.store.SetOperatorSettings(ctx, w.b.ID, tenants.OperatorSettings{CacheTTLMaxDays: 10}, admin); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.store.BatchPolicy(ctx, w.b.ID); p.CacheTTL != 10*24*time.Hour {
		t.Fatalf("a 14-day choice under a later 10-day maximum reads %s, want 10 days", p.CacheTTL)
	}
	// A rename leaves the out-of-bounds choice alone rather than refusing.
	if _, err := w.store.UpdateTenant(ctx, w.b.ID, "Beta Two", tenants.Settings{CacheTTLDays: 14}, bob); err != nil {
		t.Fatalf("renaming with the unchanged cache choice: %v", err)
	}
}
