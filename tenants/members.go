package tenants

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
)

// RoleOf returns a user's role in a tenant; ErrNotFound if not a member.
func (s *Store) RoleOf(ctx context.Context, tenantID, userID uuid.UUID) (Role, error) {
	return roleOf(ctx, s.db, tenantID, userID)
}

func roleOf(ctx context.Context, db bun.IDB, tenantID, userID uuid.UUID) (Role, error) {
	var role Role
	err := db.NewSelect().Model((*Membership)(nil)).Column("role").
		Where("tenant_id = ? AND user_id = ?", tenantID, userID).Scan(ctx, &role)
	return role, notFound(err)
}

// requireManager checks, inside the caller's transaction, that the actor
// may manage the tenant. The operator CLI (no user) always may.
func requireManager(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, actor audit.Actor) error {
	if actor.UserID == uuid.Nil {
		return nil
	}
	role, err := roleOf(ctx, tx, tenantID, actor.UserID)
	if err != nil {
		return err
	}
	if !role.CanManage() {
		return ErrForbidden
	}
	return nil
}

// ListMembers returns a tenant's members, owners first.
func (s *Store) ListMembers(ctx context.Context, tenantID uuid.UUID) ([]Member, error) {
	var members []Member
	err := s.db.NewSelect().TableExpr("memberships AS m").
		ColumnExpr("m.user_id, u.email, u.name, m.role, u.email_verified_at, m.created_at").
		Join("JOIN users AS u ON u.id = m.user_id").
		Where("m.tenant_id = ?", tenantID).
		OrderExpr("CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, lower(u.email)").
		Scan(ctx, &members)
	return members, err
}

// ChangeRole sets a member's role. Admins may not touch owners or make
// owners; the last owner cannot be demoted.
func (s *Store) ChangeRole(ctx context.Context, tenantID, userID uuid.UUID, role Role, actor audit.Actor) error {
	if !role.Valid() {
		return ErrForbidden
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		actorRole, current, err := lockMembers(ctx, tx, tenantID, actor, userID)
		if err != nil {
			return err
		}
		if actorRole == RoleAdmin && (current == RoleOwner || role == RoleOwner) {
			return ErrForbidden
		}
		if current == role {
			return nil
		}
		if current == RoleOwner {
			if err := keepAnOwner(ctx, tx, tenantID); err != nil {
				return err
			}
		}
		if _, err := tx.NewUpdate().Model((*Membership)(nil)).Set("role = ?", role).
			Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.MemberRoleChange, "user", userID.String(),
			map[string]any{"from": current, "to": role})
	})
}

// RemoveMember takes a user out of a tenant and ends their sessions in it.
func (s *Store) RemoveMember(ctx context.Context, tenantID, userID uuid.UUID, actor audit.Actor) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		actorRole, current, err := lockMembers(ctx, tx, tenantID, actor, userID)
		if err != nil {
			return err
		}
		if actorRole == RoleAdmin && current == RoleOwner {
			return ErrForbidden
		}
		if current == RoleOwner {
			if err := keepAnOwner(ctx, tx, tenantID); err != nil {
				return err
			}
		}
		if _, err := tx.NewDelete().Model((*Membership)(nil)).Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ? AND tenant_id = ?", userID, tenantID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.MemberRemoved, "user", userID.String(), map[string]any{"role": current})
	})
}

// lockMembers locks the tenant's memberships (so two owners cannot demote
// each other at once) and returns the actor's and the target's roles.
func lockMembers(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, actor audit.Actor, userID uuid.UUID) (actorRole, target Role, err error) {
	var rows []Membership
	if err := tx.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).For("UPDATE").Scan(ctx); err != nil {
		return "", "", err
	}
	if actor.UserID == uuid.Nil {
		actorRole = RoleOwner // the operator CLI
	}
	found := false
	for _, m := range rows {
		if m.UserID == userID {
			target, found = m.Role, true
		}
		if actor.UserID != uuid.Nil && m.UserID == actor.UserID {
			actorRole = m.Role
		}
	}
	if actorRole == "" {
		return "", "", ErrNotFound
	}
	if !actorRole.CanManage() {
		return "", "", ErrForbidden
	}
	if !found {
		return "", "", ErrNotFound
	}
	return actorRole, target, nil
}

func keepAnOwner(ctx context.Context, tx bun.Tx, tenantID uuid.UUID) error {
	owners, err := tx.NewSelect().Model((*Membership)(nil)).Where("tenant_id = ? AND role = 'owner'", tenantID).Count(ctx)
	if err != nil {
		return err
	}
	if owners <= 1 {
		return ErrLastOwner
	}
	return nil
}
