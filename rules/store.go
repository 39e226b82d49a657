package rules

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"mailvet/audit"
	"mailvet/memo"
)

// Audit actions of this package.
const (
	AuditCreated = "rule.created"
	AuditDeleted = "rule.deleted"
)

// Store keeps rules in PostgreSQL. Every method takes the tenant; a rule
// of another tenant is ErrNotFound.
type Store struct {
	db *bun.DB

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
func NewStore(db *bun.DB) *Store {
	return &Store{db: db, sets: memo.New[uuid.UUID, *RuleSet](setMemory, setTenants)}
}

func (s *Store) forget(tenantID uuid.UUID) { s.sets.Forget(tenantID) }

// Create validates and saves a rule. A signed-in actor must be an owner or
// admin of the tenant (a stranger gets ErrNotFound); API keys and the CLI
// act for their tenant. Errors: *FieldError, ErrDuplicate, ErrTooMany,
// ErrForbidden, ErrNotFound.
func (s *Store) Create(ctx context.Context, tenantID uuid.UUID, in NewRule, actor audit.Actor) (Rule, error) {
	in, err := Validate(in)
	if err != nil {
		return Rule{}, err
	}
	r := Rule{TenantID: tenantID, Kind: in.Kind, Pattern: in.Pattern, Action: in.Action, Note: in.Note}
	if actor.UserID != uuid.Nil {
		r.CreatedBy = &actor.UserID
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		// One creation at a time per tenant, so the limit holds under races.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtextextended('rules:' || ?::text, 0))", tenantID); err != nil {
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
		return audit.Record(ctx, tx, tenantID, actor, AuditCreated, "rule", r.ID.String(),
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

// List returns a tenant's rules in order of creation.
func (s *Store) List(ctx context.Context, tenantID uuid.UUID) ([]Rule, error) {
	rules := []Rule{}
	err := s.db.NewSelect().Model(&rules).Where("tenant_id = ?", tenantID).OrderExpr("created_at, id").Scan(ctx)
	return rules, wrap("list rules", err)
}

// Get returns one of a tenant's rules.
func (s *Store) Get(ctx context.Context, tenantID, id uuid.UUID) (Rule, error) {
	var r Rule
	err := s.db.NewSelect().Model(&r).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
	return r, wrap("get rule", err)
}

// Delete removes one of a tenant's rules and returns it. The actor is
// checked as for Create.
func (s *Store) Delete(ctx context.Context, tenantID, id uuid.UUID, actor audit.Actor) (Rule, error) {
	var r Rule
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		if err := tx.NewDelete().Model(&r).Where("tenant_id = ? AND id = ?", tenantID, id).Returning("*").Scan(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, actor, AuditDeleted, "rule", id.String(),
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
	err := s.db.NewSelect().Model(&rules).Column("id", "kind", "pattern", "action", "note", "created_at").
		Where("tenant_id = ?", tenantID).OrderExpr("created_at, id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("load rules: %w", err)
	}
	set := Compile(rules)
	s.sets.Put(tenantID, set)
	return set, nil
}

// requireManager lets owners and admins of the tenant through; a person
// who is not a member gets ErrNotFound. Actors without a user (API keys,
// the CLI) were resolved to the tenant already.
func requireManager(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, actor audit.Actor) error {
	if actor.UserID == uuid.Nil {
		return nil
	}
	var role string
	err := tx.NewSelect().TableExpr("memberships").Column("role").
		Where("tenant_id = ? AND user_id = ?", tenantID, actor.UserID).Scan(ctx, &role)
	if err != nil {
		return err
	}
	if role != "owner" && role != "admin" {
		return ErrForbidden
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
	case errors.Is(err, ErrForbidden), errors.Is(err, ErrTooMany):
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
