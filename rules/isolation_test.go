package rules_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/rules"
)

// Tenant B can neither read, list, change nor delete tenant A's rules, even
// knowing their IDs, and A's rules never fire for B.
func TestTenantIsolation(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tA, annA := f.tenant(t, "alpha", actor.RoleOwner)
	tB, bobB := f.tenant(t, "beta", actor.RoleOwner)
	ruleA, err := f.store.Create(ctx, tA, rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block}, annA)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := f.store.Get(ctx, tB, ruleA.ID, bobB); !errors.Is(err, rules.ErrNotFound) {
		t.Errorf("B reads A's rule: %v", err)
	}
	if list, err := f.store.List(ctx, tB, bobB); err != nil || len(list) != 0 {
		t.Errorf("B lists %d rules (%v)", len(list), err)
	}
	if _, err := f.store.Delete(ctx, tB, ruleA.ID, bobB); !errors.Is(err, rules.ErrNotFound) {
		t.Errorf("B deletes A's rule through B: %v", err)
	}
	// Bob acting on A's tenant directly: he is not a member, so not found.
	if _, err := f.store.Delete(ctx, tA, ruleA.ID, bobB); !errors.Is(err, rules.ErrNotFound) {
		t.Errorf("B deletes in A's tenant: %v", err)
	}
	if _, err := f.store.Create(ctx, tA, rules.NewRule{Kind: rules.KindDomain, Pattern: "evil.test", Action: rules.Allow}, bobB); !errors.Is(err, rules.ErrNotFound) {
		t.Errorf("B adds a rule to A's tenant: %v", err)
	}
	// A's rules never fire for B; B may have its own rule for the same pattern.
	rsB, err := f.store.RuleSet(ctx, tB)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := rsB.Match("ann@acme.com"); ok {
		t.Errorf("A's rule fired for B: %+v", m)
	}
	if _, err := f.store.Create(ctx, tB, rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Allow}, bobB); err != nil {
		t.Errorf("B's own rule for the same pattern: %v", err)
	}
	// A's data is untouched.
	rsA, _ := f.store.RuleSet(ctx, tA)
	if m, ok := rsA.Match("ann@acme.com"); !ok || m.ID != ruleA.ID || m.Action != rules.Block || rsA.Len() != 1 {
		t.Fatalf("A's rules changed: %+v", m)
	}
	// An unknown tenant has no rules and cannot get any.
	if _, err := f.store.Create(ctx, uuid.New(), rules.NewRule{Kind: rules.KindDomain, Pattern: "x.test", Action: rules.Allow}, actor.Operator()); !errors.Is(err, rules.ErrNotFound) {
		t.Errorf("rule for a missing tenant: %v", err)
	}
}

// The database itself keeps tenants apart: in B's transaction a statement
// that names no tenant sees, changes and deletes none of A's rules.
func TestRowLevelSecurityHidesOtherTenantsRules(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tA, annA := f.tenant(t, "alpha", actor.RoleOwner)
	tB, _ := f.tenant(t, "beta", actor.RoleOwner)
	ruleA, err := f.store.Create(ctx, tA, rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block, Note: "a"}, annA)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.RequireHidden(t, f.db, tB, tA, "rules")
	// Nor can B write a rule in A's name.
	err = f.db.Tx(ctx, db.Tenant(tB), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO rules (tenant_id, kind, pattern, action) VALUES (?, 'domain', 'evil.test', 'allow')", tA)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Errorf("B inserts a rule for A: %v", err)
	}
	if got, err := f.store.Get(ctx, tA, ruleA.ID, annA); err != nil || got.Note != "a" {
		t.Fatalf("A's rule after B's statements: %+v %v", got, err)
	}
}
