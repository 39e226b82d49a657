package tenants

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/mail"
)

// MaxSuspendReason bounds a suspension's reason, in characters.
const MaxSuspendReason = 500

// Suspend stops a tenant at once, with a reason its owners are mailed:
// its members' sessions get the suspended page, its API keys and pushes
// in 403 account_suspended, its lists pause before their next batch and
// its webhook deliveries wait. Nothing is lost; Resume restores all of it.
// Suspending a suspended tenant changes nothing but the reason.
func (s *Store) Suspend(ctx context.Context, tenantID uuid.UUID, reason string, by actor.Actor) (Tenant, error) {
	if err := by.RequirePlatform(); err != nil {
		return Tenant{}, err
	}
	reason, err := checkReason(reason, "say why the workspace is suspended: its owners are told")
	if err != nil {
		return Tenant{}, err
	}
	return s.setStatus(ctx, tenantID, "suspended", reason, by)
}

// checkReason trims the reason a platform admin gives for suspending or
// locking (kept with the change and told to those it concerns), and
// refuses none (asking as missing says), one over MaxSuspendReason, or
// one with control characters.
func checkReason(reason, missing string) (string, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return "", &InputError{Field: "reason", Reason: missing}
	case utf8.RuneCountInString(reason) > MaxSuspendReason:
		return "", &InputError{Field: "reason", Reason: fmt.Sprintf("must be at most %d characters", MaxSuspendReason)}
	}
	return reason, checkText("reason", reason)
}

// Resume lifts a suspension: sessions and keys work again, paused lists
// and deliveries go on. Resuming an active tenant changes nothing.
func (s *Store) Resume(ctx context.Context, tenantID uuid.UUID, by actor.Actor) (Tenant, error) {
	if err := by.RequirePlatform(); err != nil {
		return Tenant{}, err
	}
	return s.setStatus(ctx, tenantID, "active", "", by)
}

// setStatus changes the tenant's status, audits it and mails its owners,
// in one transaction.
func (s *Store) setStatus(ctx context.Context, tenantID uuid.UUID, status, reason string, by actor.Actor) (Tenant, error) {
	var t Tenant
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if err := notFound(tx.NewSelect().Model(&t).Where("id = ?", tenantID).For("UPDATE").Scan(ctx)); err != nil {
			return err
		}
		if t.Status == status && t.SuspendedReason == reason {
			return nil
		}
		before := t.Status
		if err := tx.NewUpdate().Model(&t).
			Set("status = ?", status).Set("suspended_reason = ?", reason).
			Set("suspended_at = CASE WHEN ? = 'suspended' THEN coalesce(suspended_at, now()) END", status).
			Set("updated_at = now()").
			Where("id = ?", tenantID).Returning("*").Scan(ctx); err != nil {
			return err
		}
		action, subject, text := audit.TenantResumed, "Your mailvet workspace is active again",
			fmt.Sprintf("The mailvet workspace %s is active again: sign-in, API keys, lists and webhooks work as before.\n", t.Name)
		if status == "suspended" {
			action, subject = audit.TenantSuspended, "Your mailvet workspace is suspended"
			text = fmt.Sprintf("The mailvet workspace %s is suspended: %s\n\nWhile it is, its members cannot sign in to it, its API keys are refused, "+
				"its lists are paused and its webhooks wait. Nothing is deleted. Reply to this mail or contact support to resolve it.\n", t.Name, reason)
		}
		if err := audit.Record(ctx, tx, tenantID, by, action, "tenant", tenantID.String(),
			map[string]any{"reason": reason, "status_before": before, "status": status}); err != nil {
			return err
		}
		return s.mailOwners(ctx, tx, tenantID, subject, text)
	})
	return t, wrap("change tenant status", err)
}

// mailOwners queues one message to each owner of the tenant, in tx.
func (s *Store) mailOwners(ctx context.Context, tx db.Tx, tenantID uuid.UUID, subject, text string) error {
	var emails []string
	if err := tx.NewSelect().Table("memberships").Join("JOIN users u ON u.id = memberships.user_id").ColumnExpr("u.email").
		Where("memberships.tenant_id = ? AND memberships.role = ?", tenantID, actor.RoleOwner).Scan(ctx, &emails); err != nil {
		return err
	}
	for _, to := range emails {
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, mail.Message{To: to, Subject: subject, Text: text}); err != nil {
			return err
		}
	}
	return nil
}
