package tenants

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// InviteByToken looks up a usable invitation from its link.
func (s *Store) InviteByToken(ctx context.Context, raw string) (PendingInvite, error) {
	var p PendingInvite
	err := s.db.Tx(ctx, db.System("find an invitation by its link's token: its tenant is what is being found"), func(ctx context.Context, tx db.Tx) error {
		if err := tx.NewSelect().Model(&p.Invite).
			Where("token_hash = ? AND accepted_at IS NULL AND expires_at > now()", HashToken(raw)).Scan(ctx); err != nil {
			return ErrInvalidLink
		}
		return tx.NewSelect().Model((*Tenant)(nil)).Column("name").Where("id = ?", p.TenantID).Scan(ctx, &p.TenantName)
	})
	if err != nil {
		return PendingInvite{}, wrap("invite by token", err)
	}
	return p, nil
}

// AcceptInvite adds an existing user to the inviting tenant. The user must
// be signed in (by is them) with the address the invitation was sent to.
func (s *Store) AcceptInvite(ctx context.Context, raw string, userID uuid.UUID, by actor.Actor) (uuid.UUID, error) {
	if by.Kind != actor.KindUser || by.UserID != userID {
		return uuid.Nil, ErrForbidden
	}
	pending, err := s.InviteByToken(ctx, raw)
	if err != nil {
		return uuid.Nil, err
	}
	tenantID := pending.TenantID
	// The link told which tenant; the acceptance itself runs in its scope.
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var u User
		if err := tx.NewSelect().Model(&u).Where("id = ?", userID).Scan(ctx); err != nil {
			return notFound(err)
		}
		inv, err := takeInvite(ctx, tx, tenantID, raw)
		if err != nil {
			return err
		}
		if !strings.EqualFold(inv.Email, u.Email) {
			return ErrInviteEmail
		}
		return joinTenant(ctx, tx, inv, actor.User(u.ID, u.Email, inv.Role).In(tenantID).From(by.IP, by.UserAgent).ForRequest(by.RequestID))
	})
	if err != nil {
		return uuid.Nil, wrap("accept invite", err)
	}
	return tenantID, nil
}

// AcceptInviteAsNewUser creates the invited person's account and joins
// them. The emailed link proves the address, so it is marked verified.
// Nobody is signed in: from gives only where the request came from; the
// events are recorded as the new user.
func (s *Store) AcceptInviteAsNewUser(ctx context.Context, raw, name, password string, from actor.Actor) (User, uuid.UUID, error) {
	name = strings.TrimSpace(name)
	if err := checkText("name", name); err != nil {
		return User{}, uuid.Nil, err
	}
	pending, err := s.InviteByToken(ctx, raw)
	if err != nil {
		return User{}, uuid.Nil, err
	}
	if err := CheckPassword(password, pending.Email); err != nil {
		return User{}, uuid.Nil, err
	}
	// Hashed before the transaction, once the link is known to be good:
	// it takes tens of milliseconds, during which no connection is held.
	hash, err := hashPassword(password, s.opts.Argon2)
	if err != nil {
		return User{}, uuid.Nil, err
	}
	tenantID := pending.TenantID
	u := User{Email: pending.Email, Name: name, PasswordHash: hash}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		inv, err := takeInvite(ctx, tx, tenantID, raw)
		if err != nil {
			return err
		}
		u.Email = inv.Email
		if err := insertUser(ctx, tx, &u); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&u).Set("email_verified_at = now()").Where("id = ?", u.ID).Returning("*").Exec(ctx); err != nil {
			return err
		}
		return joinTenant(ctx, tx, inv, actor.User(u.ID, u.Email, inv.Role).In(tenantID).From(from.IP, from.UserAgent).ForRequest(from.RequestID))
	})
	if err != nil {
		return User{}, uuid.Nil, wrap("accept invite", err)
	}
	return u, tenantID, nil
}

// takeInvite locks a usable invitation of the tenant for acceptance.
func takeInvite(ctx context.Context, tx db.Tx, tenantID uuid.UUID, raw string) (Invite, error) {
	var inv Invite
	err := tx.NewSelect().Model(&inv).
		Where("tenant_id = ? AND token_hash = ? AND accepted_at IS NULL AND expires_at > now()", tenantID, HashToken(raw)).
		For("UPDATE").Scan(ctx)
	if err != nil {
		return inv, ErrInvalidLink
	}
	return inv, nil
}

func joinTenant(ctx context.Context, tx db.Tx, inv Invite, by actor.Actor) error {
	if _, err := tx.NewUpdate().Model((*Invite)(nil)).Set("accepted_at = now()").
		Where("tenant_id = ? AND id = ?", inv.TenantID, inv.ID).Exec(ctx); err != nil {
		return err
	}
	m := Membership{TenantID: inv.TenantID, UserID: by.UserID, Role: inv.Role}
	if _, err := tx.NewInsert().Model(&m).On("CONFLICT (tenant_id, user_id) DO NOTHING").Exec(ctx); err != nil {
		return err
	}
	return audit.Record(ctx, tx, inv.TenantID, by, audit.InviteAccepted, "invite", inv.ID.String(), map[string]any{"role": inv.Role})
}
