package tenants

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// RoleOf returns a user's role in a tenant; ErrNotFound if not a member.
func (s *Store) RoleOf(ctx context.Context, tenantID, userID uuid.UUID) (actor.Role, error) {
	var role actor.Role
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		role, err = roleOf(ctx, tx, tenantID, userID)
		return err
	})
	return role, wrap("role of", err)
}

func roleOf(ctx context.Context, tx bun.IDB, tenantID, userID uuid.UUID) (actor.Role, error) {
	var role actor.Role
	err := tx.NewSelect().Model((*Membership)(nil)).Column("role").
		Where("tenant_id = ? AND user_id = ?", tenantID, userID).Scan(ctx, &role)
	return role, notFound(err)
}

// authorize checks, inside the caller's transaction, that by may act on
// the tenant with at least role min, and returns by with the role it acts
// with. A user's role is the one the database holds now, not the one the
// caller saw when it built the actor (it may have changed since); an API
// key acts as an admin, once it is known to be the tenant's. A user who is
// not a member, or a key of another tenant, gets ErrNotFound, so another
// tenant's existence is not revealed; so does a user or key whose actor
// was built for another tenant (actor.RequireIn), whatever the database
// says. The operator CLI and a system job carry their role. An actor
// without a kind is refused: no zero value is allowed.
func authorize(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, by actor.Actor, min actor.Role) (actor.Actor, error) {
	switch by.Kind {
	case actor.KindUser:
		role, err := roleOf(ctx, tx, tenantID, by.UserID)
		if err != nil {
			return by, err
		}
		by.Role = role
	case actor.KindAPIKey:
		ours, err := tx.NewSelect().Model((*APIKey)(nil)).Where("tenant_id = ? AND id = ?", tenantID, by.APIKeyID).Exists(ctx)
		if err != nil {
			return by, err
		}
		if !ours {
			return by, ErrNotFound
		}
	}
	switch err := by.RequireIn(tenantID, min); {
	case errors.Is(err, actor.ErrOtherTenant):
		return by, ErrNotFound
	case err != nil:
		return by, err
	}
	return by, nil
}

// ListMembers returns a tenant's members, owners first.
func (s *Store) ListMembers(ctx context.Context, tenantID uuid.UUID) ([]Member, error) {
	var members []Member
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().TableExpr("memberships AS m").
			ColumnExpr("m.user_id, u.email, u.name, m.role, u.email_verified_at, m.created_at").
			Join("JOIN users AS u ON u.id = m.user_id").
			Where("m.tenant_id = ?", tenantID).
			OrderExpr("CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, lower(u.email)").
			Scan(ctx, &members)
	})
	return members, wrap("list members", err)
}

// ChangeRole sets a member's role. Admins may not touch owners or make
// owners; the last owner cannot be demoted.
func (s *Store) ChangeRole(ctx context.Context, tenantID, userID uuid.UUID, role actor.Role, by actor.Actor) error {
	if !role.Valid() {
		return ErrForbidden
	}
	return wrap("change role", s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, current, err := lockMembers(ctx, tx, tenantID, by, userID)
		if err != nil {
			return err
		}
		if by.Role == actor.RoleAdmin && (current == actor.RoleOwner || role == actor.RoleOwner) {
			return ErrForbidden
		}
		if current == role {
			return nil
		}
		if current == actor.RoleOwner {
			if err := keepAnOwner(ctx, tx, tenantID); err != nil {
				return err
			}
		}
		if _, err := tx.NewUpdate().Model((*Membership)(nil)).Set("role = ?", role).
			Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx); err != nil {
			return err
		}
		return audit.RecordChanges(ctx, tx, tenantID, by, audit.MemberRoleChange, "user", userID.String(),
			map[string]any{"from": current, "to": role}, map[string]audit.Change{"role": {Before: current, After: role}})
	}))
}

// RemoveMember takes a user out of a tenant and ends their sessions in it.
func (s *Store) RemoveMember(ctx context.Context, tenantID, userID uuid.UUID, by actor.Actor) error {
	return wrap("remove member", s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, current, err := lockMembers(ctx, tx, tenantID, by, userID)
		if err != nil {
			return err
		}
		if by.Role == actor.RoleAdmin && current == actor.RoleOwner {
			return ErrForbidden
		}
		if current == actor.RoleOwner {
			if err := keepAnOwner(ctx, tx, tenantID); err != nil {
				return err
			}
		}
		if _, err := tx.NewDelete().Model((*Membership)(nil)).Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, audit.MemberRemoved, "user", userID.String(), map[string]any{"role": current})
	}))
}

// lockMembers locks the tenant's memberships (so two owners cannot demote
// each other at once), checks that by may manage the tenant (authorize)
// and returns by with the role it acts with, and the target's role. The
// operator CLI acts as an owner because actor.Operator() says so, not
// because it has no user.
func lockMembers(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, by actor.Actor, userID uuid.UUID) (actor.Actor, actor.Role, error) {
	var rows []Membership
	if err := tx.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).For("UPDATE").Scan(ctx); err != nil {
		return by, "", err
	}
	by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
	if err != nil {
		return by, "", err
	}
	for _, m := range rows {
		if m.UserID == userID {
			return by, m.Role, nil
		}
	}
	return by, "", ErrNotFound
}

func keepAnOwner(ctx context.Context, tx bun.IDB, tenantID uuid.UUID) error {
	owners, err := tx.NewSelect().Model((*Membership)(nil)).Where("tenant_id = ? AND role = ?", tenantID, actor.RoleOwner).Count(ctx)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return ErrLastOwner
	}
	return nil
}
