package rules

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/memo"
)

// Audit actions of this package.
const (
	AuditCreated = "rule.created"
	AuditDeleted = "rule.deleted"
)

// Store keeps rules in PostgreSQL. Every method takes the tenant and runs
// in that tenant's transaction (row-level security shows it no other
// tenant's rules); a rule of another tenant is ErrNotFound. Statements are
// written with bun's builder, raw SQL with bun's ? placeholders where the
// builder has no words for it.
type Store struct {
	db *db.DB

	// RuleSet runs on every verification; compiled sets are reused for
	// setMemory. Changes made through this Store show at once; changes made
	// by another process within setMemory.
	sets *memo.Map[uuid.UUID, *RuleSet]
}

const (
	setMemory  = 2 * time.Second
	setTenants = 100_000 // bound of the memory; a process serving more asks again
)

// NewStore returns a Store.
func NewStore(d *db.DB) *Store {
	return &Store{db: d, sets: memo.New[uuid.UUID, *RuleSet](setMemory, setTenants)}
}

func (s *Store) forget(tenantID uuid.UUID) { s.sets.Forget(tenantID) }

// Create validates and saves a rule. The actor must act as an admin or
// owner (actor.ErrForbidden otherwise); a user or key of another tenant,
// and a user who is no longer a member, get ErrNotFound. Errors:
// *FieldError, ErrDuplicate, ErrTooMany, actor.ErrForbidden, ErrNotFound.
func (s *Store) Create(ctx context.Context, tenantID uuid.UUID, in NewRule, by actor.Actor) (Rule, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return Rule{}, err
	}
	in, err := Validate(in)
	if err != nil {
		return Rule{}, err
	}
	r := Rule{TenantID: tenantID, Kind: in.Kind, Pattern: in.Pattern, Action: in.Action, Note: in.Note}
	if by.Kind == actor.KindUser {
		r.CreatedBy = &by.UserID
	}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if err := requireMember(ctx, tx, tenantID, by); err != nil {
			return err
		}
		// One creation at a time per tenant, so the limit holds under races.
		if _, err := tx.NewRaw("SELECT pg_advisory_xact_lock(hashtextextended('rules:' || ?::text, 0))", tenantID).Exec(ctx); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*Rule)(nil)).Where("tenant_id = ?", tenantID).Count(ctx)
		if err != nil {
			return err
		}
		if n >= MaxRulesPerTenant {
			return ErrTooMany
		}
		if _, err := tx.NewInsert().Model(&r).Returning("*").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditCreated, "rule", r.ID.String(),
			map[string]any{"kind": r.Kind, "pattern": r.Pattern, "action": r.Action})
	})
	s.forget(tenantID)
	switch code, constraint := pgError(err); {
	case code == "23505" && constraint == "rules_pattern_key":
		return Rule{}, ErrDuplicate
	case code == "23503" && constraint == "rules_tenant_id_fkey":
		return Rule{}, ErrNotFound // no such tenant
	case err != nil:
		return Rule{}, wrap("create rule", err)
	}
	return r, nil
}

// List returns a tenant's rules in order of creation, to any member (a
// user or key of another tenant gets ErrNotFound).
func (s *Store) List(ctx context.Context, tenantID uuid.UUID, by actor.Actor) ([]Rule, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return nil, err
	}
	rules := []Rule{}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if err := requireMember(ctx, tx, tenantID, by); err != nil {
			return err
		}
		return tx.NewSelect().Model(&rules).Where("tenant_id = ?", tenantID).OrderExpr("created_at, id").Scan(ctx)
	})
	return rules, wrap("list rules", err)
}

// Get returns one of a tenant's rules, as List does.
func (s *Store) Get(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) (Rule, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return Rule{}, err
	}
	var r Rule
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if err := requireMember(ctx, tx, tenantID, by); err != nil {
			return err
		}
		return tx.NewSelect().Model(&r).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
	})
	return r, wrap("get rule", err)
}

// Delete removes one of a tenant's rules and returns it. The actor is
// checked as for Create.
func (s *Store) Delete(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) (Rule, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return Rule{}, err
	}
	var r Rule
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if err := requireMember(ctx, tx, tenantID, by); err != nil {
			return err
		}
		if err := tx.NewDelete().Model(&r).Where("tenant_id = ? AND id = ?", tenantID, id).Returning("*").Scan(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditDeleted, "rule", id.String(),
			map[string]any{"kind": r.Kind, "pattern": r.Pattern, "action": r.Action})
	})
	s.forget(tenantID)
	return r, wrap("delete rule", err)
}

// RuleSet loads a tenant's rules, compiled for matching, in one query.
// Load it once per request or batch and call Match per address. A nil
// Store gives an empty set.
func (s *Store) RuleSet(ctx context.Context, tenantID uuid.UUID) (*RuleSet, error) {
	if s == nil {
		return nil, nil
	}
	if set, ok := s.sets.Get(tenantID); ok {
		return set, nil
	}
	var rules []Rule
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&rules).Column("id", "kind", "pattern", "action", "note", "created_at").
			Where("tenant_id = ?", tenantID).OrderExpr("created_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	set := Compile(rules)
	s.sets.Put(tenantID, set)
	return set, nil
}

// authorize checks that by may act in the tenant with at least role min
// (actor.RequireIn). A user or key of another tenant gets ErrNotFound,
// not actor.ErrForbidden: the tenant's existence is not revealed.
func authorize(by actor.Actor, tenantID uuid.UUID, min actor.Role) error {
	err := by.RequireIn(tenantID, min)
	if errors.Is(err, actor.ErrOtherTenant) {
		return ErrNotFound
	}
	return err
}

// requireMember makes sure a signed-in user is still a member of the
// tenant their actor was built for (authorize checked that it is this
// one): the membership may have ended since. A user who is not gets
// ErrNotFound. API keys, the CLI and jobs need no membership.
func requireMember(ctx context.Context, tx db.Tx, tenantID uuid.UUID, by actor.Actor) error {
	if by.Kind != actor.KindUser {
		return nil
	}
	member, err := tx.NewSelect().TableExpr("memberships").
		Where("tenant_id = ? AND user_id = ?", tenantID, by.UserID).Exists(ctx)
	if err != nil {
		return err
	}
	if !member {
		return ErrNotFound
	}
	return nil
}

func pgError(err error) (code, constraint string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code, pgErr.ConstraintName
	}
	return "", ""
}

// wrap maps "no rows" to ErrNotFound and names the operation otherwise.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows), errors.Is(err, ErrNotFound):
		return ErrNotFound
	case errors.Is(err, actor.ErrForbidden), errors.Is(err, ErrTooMany):
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
