package tenants

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
	"mailvet/mail"
)

// PendingInvite is an invitation seen through its link.
type PendingInvite struct {
	Invite
	TenantName string
}

// CreateInvite invites email into a tenant with role (admin or member) and
// mails the link. A pending invite to the same address is replaced.
func (s *Store) CreateInvite(ctx context.Context, tenantID uuid.UUID, email string, role Role, actor audit.Actor) (Invite, error) {
	email = NormalizeEmail(email)
	if role != RoleAdmin && role != RoleMember {
		return Invite{}, ErrForbidden
	}
	var inv Invite
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		member, err := tx.NewSelect().TableExpr("memberships AS m").Join("JOIN users AS u ON u.id = m.user_id").
			Where("m.tenant_id = ? AND lower(u.email) = lower(?)", tenantID, email).Exists(ctx)
		if err != nil {
			return err
		}
		if member {
			return ErrAlreadyMember
		}
		if _, err := tx.NewDelete().Model((*Invite)(nil)).
			Where("tenant_id = ? AND lower(email) = lower(?) AND accepted_at IS NULL", tenantID, email).Exec(ctx); err != nil {
			return err
		}
		raw, hash := NewToken()
		inv = Invite{TenantID: tenantID, Email: email, Role: role, TokenHash: hash}
		if actor.UserID != uuid.Nil {
			inv.InvitedBy = &actor.UserID
		}
		if _, err := tx.NewInsert().Model(&inv).Value("expires_at", "now() + ?::interval", fmt.Sprintf("%d seconds", int(s.opts.InviteTTL.Seconds()))).
			Returning("*").Exec(ctx); err != nil {
			return err
		}
		var tenantName string
		if err := tx.NewSelect().Model((*Tenant)(nil)).Column("name").Where("id = ?", tenantID).Scan(ctx, &tenantName); err != nil {
			return notFound(err)
		}
		inviter := actor.Email
		if inviter == "" {
			inviter = "An administrator"
		}
		if err := s.mail.Enqueue(ctx, tx.Tx, mail.Message{
			To:      email,
			Subject: fmt.Sprintf("You are invited to %s on mailvet", tenantName),
			Text: fmt.Sprintf("%s invited you to join %s on mailvet as %s.\n\nAccept the invitation:\n\n%s\n\nThe link expires in %s.\n",
				inviter, tenantName, role, s.link("/invites/"+raw), humanDuration(s.opts.InviteTTL)),
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.InviteCreated, "invite", inv.ID.String(), map[string]any{"email": email, "role": role})
	})
	return inv, wrap("create invite", err)
}

// ListInvites returns a tenant's pending invitations, newest first.
func (s *Store) ListInvites(ctx context.Context, tenantID uuid.UUID) ([]Invite, error) {
	var invs []Invite
	err := s.db.NewSelect().Model(&invs).
		Where("tenant_id = ? AND accepted_at IS NULL AND expires_at > now()", tenantID).
		OrderExpr("created_at DESC").Scan(ctx)
	return invs, err
}

// RevokeInvite cancels a pending invitation.
func (s *Store) RevokeInvite(ctx context.Context, tenantID, inviteID uuid.UUID, actor audit.Actor) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		res, err := tx.NewDelete().Model((*Invite)(nil)).
			Where("tenant_id = ? AND id = ? AND accepted_at IS NULL", tenantID, inviteID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.InviteRevoked, "invite", inviteID.String(), nil)
	})
}

// InviteByToken looks up a usable invitation from its link.
func (s *Store) InviteByToken(ctx context.Context, raw string) (PendingInvite, error) {
	var p PendingInvite
	err := s.db.NewSelect().Model(&p.Invite).
		Where("token_hash = ? AND accepted_at IS NULL AND expires_at > now()", HashToken(raw)).Scan(ctx)
	if err != nil {
		return p, ErrInvalidLink
	}
	err = s.db.NewSelect().Model((*Tenant)(nil)).Column("name").Where("id = ?", p.TenantID).Scan(ctx, &p.TenantName)
	return p, err
}

// AcceptInvite adds an existing user to the inviting tenant. The user must
// be signed in with the address the invitation was sent to.
func (s *Store) AcceptInvite(ctx context.Context, raw string, userID uuid.UUID, actor audit.Actor) (uuid.UUID, error) {
	var tenantID uuid.UUID
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var u User
		if err := tx.NewSelect().Model(&u).Where("id = ?", userID).Scan(ctx); err != nil {
			return notFound(err)
		}
		inv, err := takeInvite(ctx, tx, raw)
		if err != nil {
			return err
		}
		if !strings.EqualFold(inv.Email, u.Email) {
			return ErrInviteEmail
		}
		tenantID = inv.TenantID
		actor.UserID, actor.Email = u.ID, u.Email
		return joinTenant(ctx, tx, inv, u, actor)
	})
	return tenantID, wrap("accept invite", err)
}

// AcceptInviteAsNewUser creates the invited person's account and joins
// them. The emailed link proves the address, so it is marked verified.
func (s *Store) AcceptInviteAsNewUser(ctx context.Context, raw, name, password string, actor audit.Actor) (User, uuid.UUID, error) {
	var u User
	var tenantID uuid.UUID
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		inv, err := takeInvite(ctx, tx, raw)
		if err != nil {
			return err
		}
		if err := CheckPassword(password, inv.Email); err != nil {
			return err
		}
		hash, err := hashPassword(password, s.opts.Argon2)
		if err != nil {
			return err
		}
		u = User{Email: inv.Email, Name: strings.TrimSpace(name), PasswordHash: hash}
		if err := insertUser(ctx, tx, &u); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&u).Set("email_verified_at = now()").Where("id = ?", u.ID).Returning("*").Exec(ctx); err != nil {
			return err
		}
		tenantID = inv.TenantID
		actor.UserID, actor.Email = u.ID, u.Email
		return joinTenant(ctx, tx, inv, u, actor)
	})
	return u, tenantID, wrap("accept invite", err)
}

// takeInvite locks a usable invitation for acceptance.
func takeInvite(ctx context.Context, tx bun.Tx, raw string) (Invite, error) {
	var inv Invite
	err := tx.NewSelect().Model(&inv).
		Where("token_hash = ? AND accepted_at IS NULL AND expires_at > now()", HashToken(raw)).
		For("UPDATE").Scan(ctx)
	if err != nil {
		return inv, ErrInvalidLink
	}
	return inv, nil
}

func joinTenant(ctx context.Context, tx bun.Tx, inv Invite, u User, actor audit.Actor) error {
	if _, err := tx.NewUpdate().Model((*Invite)(nil)).Set("accepted_at = now()").Where("id = ?", inv.ID).Exec(ctx); err != nil {
		return err
	}
	m := Membership{TenantID: inv.TenantID, UserID: u.ID, Role: inv.Role}
	if _, err := tx.NewInsert().Model(&m).On("CONFLICT (tenant_id, user_id) DO NOTHING").Exec(ctx); err != nil {
		return err
	}
	return audit.Record(ctx, tx, inv.TenantID, actor, audit.InviteAccepted, "invite", inv.ID.String(), map[string]any{"role": inv.Role})
}
