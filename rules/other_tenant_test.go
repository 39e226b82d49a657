package rules_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/rules"
)

// B's owner or B's API key naming A's tenant (the domain does not rely on
// the app pairing an actor with its own tenant) can neither list, read,
// add nor delete A's rules: not found, and A's rules stay as they were.
// A key has no membership to look up, so only the actor's own tenant
// stops it.
func TestActorOfAnotherTenantFindsNothing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tA, annA := f.tenant(t, "alpha", actor.RoleOwner)
	tB, bobB := f.tenant(t, "beta", actor.RoleOwner)
	ruleA, err := f.store.Create(ctx, tA, rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block}, annA)
	if err != nil {
		t.Fatal(err)
	}
	var keyB uuid.UUID
	f.seed(t, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_keys (tenant_id, name, mode, prefix, key_hash) VALUES (?, 'k', 'live', 'mv_live_b', '\x02') RETURNING id`, tB).Scan(&keyB)
	})
	for name, by := range map[string]actor.Actor{"B's owner": bobB, "B's key": actor.APIKey(keyB, false).In(tB)} {
		t.Run(name, func(t *testing.T) {
			if list, err := f.store.List(ctx, tA, by); !errors.Is(err, rules.ErrNotFound) || len(list) != 0 {
				t.Errorf("list: %d rules (%v), want not found", len(list), err)
			}
			if _, err := f.store.Get(ctx, tA, ruleA.ID, by); !errors.Is(err, rules.ErrNotFound) {
				t.Errorf("get: %v, want not found", err)
			}
			if _, err := f.store.Create(ctx, tA, rules.NewRule{Kind: rules.KindDomain, Pattern: "evil.test", Action: rules.Allow}, by); !errors.Is(err, rules.ErrNotFound) {
				t.Errorf("create: %v, want not found", err)
			}
			if _, err := f.store.Delete(ctx, tA, ruleA.ID, by); !errors.Is(err, rules.ErrNotFound) {
				t.Errorf("delete: %v, want not found", err)
			}
		})
	}
	if list, err := f.store.List(ctx, tA, annA); err != nil || len(list) != 1 || list[0].ID != ruleA.ID {
		t.Fatalf("A's rules changed: %+v %v", list, err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = ?", tA); n != 1 {
		t.Fatalf("%d events in A, want its one rule.created", n)
	}
}
