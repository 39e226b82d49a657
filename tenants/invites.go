package tenants

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/mail"
)

// PendingInvite is an invitation seen through its link.
type PendingInvite struct {
	Invite
	TenantName string
}

// CreateInvite invites email into a tenant with role (admin or member) and
// mails the link. A pending invite to the same address is re-sent: it is
// replaced by a new one (a new link and expiry; the old link stops
// working), which keeps the old one's role when role is empty, and comes
// back with Resent set. An empty role for a first invitation is member.
func (s *Store) CreateInvite(ctx context.Context, tenantID uuid.UUID, email string, role actor.Role, by actor.Actor) (Invite, error) {
	email = NormalizeEmail(email)
	if err := checkText("email", email); err != nil {
		return Invite{}, err
	}
	if role != "" && role != actor.RoleAdmin && role != actor.RoleMember {
		return Invite{}, ErrForbidden
	}
	var inv Invite
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
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
		var earlier []actor.Role
		if err := tx.NewDelete().Model((*Invite)(nil)).
			Where("tenant_id = ? AND lower(email) = lower(?) AND accepted_at IS NULL", tenantID, email).
			Returning("role").Scan(ctx, &earlier); err != nil {
			return err
		}
		resent := len(earlier) > 0
		if role == "" {
			role = actor.RoleMember
			if resent {
				role = earlier[0]
			}
		}
		raw, hash := NewToken()
		inv = Invite{TenantID: tenantID, Email: email, Role: role, TokenHash: hash}
		if by.Kind == actor.KindUser {
			inv.InvitedBy = &by.UserID
		}
		if _, err := tx.NewInsert().Model(&inv).Value("expires_at", "now() + make_interval(secs => ?)", s.opts.InviteTTL.Seconds()).
			Returning("*").Exec(ctx); err != nil {
			return err
		}
		var tenantName string
		if err := tx.NewSelect().Model((*Tenant)(nil)).Column("name").Where("id = ?", tenantID).Scan(ctx, &tenantName); err != nil {
			return notFound(err)
		}
		inviter := by.Email
		if by.Kind != actor.KindUser || inviter == "" {
			inviter = "An administrator"
		}
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, mail.Message{
			To: email,
			// A name stored before names were checked may hold a line
			// break, which a mail header cannot.
			Subject: fmt.Sprintf("You are invited to %s on mailvet", oneLine(tenantName)),
			Text: fmt.Sprintf("%s invited you to join %s on mailvet as %s.\n\nAccept the invitation:\n\n%s\n\nThe link expires in %s.\n",
				inviter, tenantName, role, s.link("/invites/"+raw), humanDuration(s.opts.InviteTTL)),
		}); err != nil {
			return err
		}
		inv.Resent = resent
		return audit.Record(ctx, tx, tenantID, by, audit.InviteCreated, "invite", inv.ID.String(), map[string]any{"email": email, "role": role, "resent": resent})
	})
	return inv, wrap("create invite", err)
}

// ListInvites returns a tenant's pending invitations, newest first.
func (s *Store) ListInvites(ctx context.Context, tenantID uuid.UUID) ([]Invite, error) {
	var invs []Invite
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&invs).
			Where("tenant_id = ? AND accepted_at IS NULL AND expires_at > now()", tenantID).
			OrderExpr("created_at DESC").Scan(ctx)
	})
	return invs, wrap("list invites", err)
}

// RevokeInvite cancels a pending invitation.
func (s *Store) RevokeInvite(ctx context.Context, tenantID, inviteID uuid.UUID, by actor.Actor) error {
	return wrap("revoke invite", s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
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
		return audit.Record(ctx, tx, tenantID, by, audit.InviteRevoked, "invite", inviteID.String(), nil)
	}))
}
