package rules_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/rules"
)

type fixture struct {
	db    *db.DB
	store *rules.Store
}

func setup(t *testing.T) fixture {
	t.Helper()
	d := dbtest.New(t)
	return fixture{db: d, store: rules.NewStore(d)}
}

// seed runs statements that set a test up, on the system path (the
// service's role sees no tenant's rows without it).
func (f fixture) seed(t *testing.T, fn func(ctx context.Context, tx db.Tx) error) {
	t.Helper()
	if err := f.db.Tx(context.Background(), db.System("test: seed rules fixtures"), fn); err != nil {
		t.Fatal(err)
	}
}

// tenant makes a tenant whose member has the given role; it returns the
// tenant's id and the member as an actor.
func (f fixture) tenant(t *testing.T, slug string, role actor.Role) (uuid.UUID, actor.Actor) {
	t.Helper()
	var tenantID, userID uuid.UUID
	email := string(role) + "@" + slug + ".test"
	f.seed(t, func(ctx context.Context, tx db.Tx) error {
		if err := tx.QueryRowContext(ctx, "INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id", slug, slug).Scan(&tenantID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "INSERT INTO users (email, password_hash) VALUES (?, 'x') RETURNING id", email).Scan(&userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, ?)", tenantID, userID, string(role))
		return err
	})
	return tenantID, actor.User(userID, email, role).In(tenantID).From("198.51.100.1", "test")
}

// count runs a counting query on the system path: it sees every tenant.
func (f fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	f.seed(t, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, query, args...).Scan(&n)
	})
	return n
}

func TestCreateListDeleteWithAudit(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tenant, owner := f.tenant(t, "alpha", actor.RoleOwner)

	r, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindDomain, Pattern: " ACME.com ", Action: rules.Block, Note: "competitor"}, owner)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pattern != "acme.com" || r.ID == uuid.Nil || r.CreatedBy == nil || *r.CreatedBy != owner.UserID || r.CreatedAt.IsZero() {
		t.Fatalf("created %+v", r)
	}
	// The same pattern again, in any case and with either action, is a duplicate.
	if _, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.COM", Action: rules.Allow}, owner); !errors.Is(err, rules.ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	// Regexes are compared as typed: \d and \D are different rules.
	for _, p := range []string{`^\d+@`, `^\D+@`} {
		if _, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindRegex, Pattern: p, Action: rules.Block}, owner); err != nil {
			t.Fatalf("regex %s: %v", p, err)
		}
	}
	var fe *rules.FieldError
	if _, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindRegex, Pattern: "(", Action: rules.Block}, owner); !errors.As(err, &fe) || fe.Field != "pattern" {
		t.Fatalf("bad regex: %v", err)
	}
	// An actor without a user (an API key, the CLI) acts for its tenant.
	var key uuid.UUID
	f.seed(t, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_keys (tenant_id, name, mode, prefix, key_hash) VALUES (?, 'k', 'live', 'mv_live_k', '\x01') RETURNING id`, tenant).Scan(&key)
	})
	byKey, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindAddress, Pattern: "ceo@acme.com", Action: rules.Allow}, actor.APIKey(key, false).In(tenant))
	if err != nil || byKey.CreatedBy != nil {
		t.Fatalf("by key: %+v %v", byKey, err)
	}

	list, err := f.store.List(ctx, tenant, owner)
	if err != nil || len(list) != 4 || list[0].ID != r.ID || list[3].ID != byKey.ID {
		t.Fatalf("list %+v %v", list, err)
	}
	rs, err := f.store.RuleSet(ctx, tenant)
	if err != nil || rs.Len() != 4 {
		t.Fatalf("rule set %v %v", rs.Len(), err)
	}
	if m, ok := rs.Match("ceo@acme.com"); !ok || m.ID != byKey.ID || m.Action != rules.Allow {
		t.Fatalf("address rule did not beat the domain block: %+v", m)
	}
	if m, ok := rs.Match("ann@acme.com"); !ok || m.ID != r.ID || m.Note != "competitor" {
		t.Fatalf("domain rule: %+v", m)
	}

	deleted, err := f.store.Delete(ctx, tenant, r.ID, owner)
	if err != nil || deleted.Pattern != "acme.com" {
		t.Fatalf("delete: %+v %v", deleted, err)
	}
	if _, err := f.store.Delete(ctx, tenant, r.ID, owner); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := f.store.Get(ctx, tenant, r.ID, owner); !errors.Is(err, rules.ErrNotFound) {
		t.Fatalf("get deleted: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action = 'rule.created'", tenant); n != 4 {
		t.Fatalf("%d rule.created events, want 4", n)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action = 'rule.created' AND actor_kind = 'api_key'", tenant); n != 1 {
		t.Fatalf("%d rule.created events by an API key, want 1", n)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = ? AND action = 'rule.deleted' AND target_id = ? AND actor_id = ? AND actor_kind = 'user' AND ip = '198.51.100.1'", tenant, r.ID.String(), owner.UserID); n != 1 {
		t.Fatalf("%d rule.deleted events, want 1", n)
	}
	// A failed creation leaves no audit line.
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE action = 'rule.created' AND metadata->>'action' = 'allow' AND metadata->>'kind' = 'domain'"); n != 0 {
		t.Fatalf("the refused duplicate was audited")
	}
}

func TestMembersCannotChangeRules(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tenant, owner := f.tenant(t, "alpha", actor.RoleOwner)
	_, member := f.tenant(t, "beta", actor.RoleMember)
	f.seed(t, func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, 'member')", tenant, member.UserID)
		return err
	})
	member = member.In(tenant) // signed in to alpha, where they are a member
	r, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block}, owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindDomain, Pattern: "b.com", Action: rules.Block}, member); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("member creates: %v", err)
	}
	if _, err := f.store.Delete(ctx, tenant, r.ID, member); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("member deletes: %v", err)
	}
	// An actor that does not say who it is is never allowed.
	if _, err := f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindDomain, Pattern: "c.com", Action: rules.Block}, actor.Actor{Role: actor.RoleOwner}); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("actor without a kind creates: %v", err)
	}
	if _, err := f.store.Delete(ctx, tenant, r.ID, actor.Actor{}); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("zero actor deletes: %v", err)
	}
	if list, _ := f.store.List(ctx, tenant, owner); len(list) != 1 {
		t.Fatalf("rules changed: %d", len(list))
	}
}

func TestLimitPerTenantHoldsUnderConcurrency(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tenant, _ := f.tenant(t, "alpha", actor.RoleOwner)
	cli := actor.Operator()
	// Fill up to 5 below the limit in one statement, then race 10 creations.
	f.seed(t, func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO rules (tenant_id, kind, pattern, action)
			SELECT ?, 'domain', 'd' || g || '.test', 'block' FROM generate_series(1, ?::int) AS g`, tenant, rules.MaxRulesPerTenant-5)
		return err
	})
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.store.Create(ctx, tenant, rules.NewRule{Kind: rules.KindDomain, Pattern: fmt.Sprintf("race%d.test", i), Action: rules.Block}, cli)
		})
	}
	wg.Wait()
	var ok, tooMany int
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, rules.ErrTooMany):
			tooMany++
		default:
			t.Fatal(err)
		}
	}
	if ok != 5 || tooMany != 5 {
		t.Fatalf("%d created, %d refused; want 5 and 5", ok, tooMany)
	}
	if n := f.count(t, "SELECT count(*) FROM rules WHERE tenant_id = ?", tenant); n != rules.MaxRulesPerTenant {
		t.Fatalf("%d rules", n)
	}
	if rs, err := f.store.RuleSet(ctx, tenant); err != nil || rs.Len() != rules.MaxRulesPerTenant {
		t.Fatalf("rule set of %d: %v", rs.Len(), err)
	}
}

// Control characters (a NUL, CR/LF) in a pattern or a note are refused as
// invalid input, never sent to the database.
func TestControlCharactersAreRefused(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	tenant, owner := f.tenant(t, "alpha", actor.RoleOwner)
	for _, c := range []struct {
		in    rules.NewRule
		field string
	}{
		{rules.NewRule{Kind: rules.KindDomain, Pattern: "acme\x00.com", Action: rules.Block}, "pattern"},
		{rules.NewRule{Kind: rules.KindRegex, Pattern: "^a\r\nb@", Action: rules.Block}, "pattern"},
		{rules.NewRule{Kind: rules.KindAddress, Pattern: "a\x00@acme.com", Action: rules.Block}, "pattern"},
		{rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block, Note: "line\nbreak"}, "note"},
		{rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block, Note: "nul\x00"}, "note"},
		{rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block, Note: "bad \xff utf-8"}, "note"},
	} {
		_, err := f.store.Create(ctx, tenant, c.in, owner)
		var fe *rules.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("%q / %q: %v, want a %s error", c.in.Pattern, c.in.Note, err, c.field)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM rules"); n != 0 {
		t.Fatalf("%d rules stored", n)
	}
}
