// Package audit records who did what, to which tenant, from where. Events
// are written inside the transaction of the change they describe, so a
// change and its audit line commit or roll back together.
package audit

import (
	"context"
	"fmt"
	"reflect"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/actor"
	"mailvet/safetext"
)

// Event is one line of the audit log. A nil TenantID is a platform event.
type Event struct {
	ID         int64          `bun:"id,pk,autoincrement" json:"id"`
	TenantID   *uuid.UUID     `bun:"tenant_id,type:uuid" json:"tenant_id"`
	ActorID    *uuid.UUID     `bun:"actor_id,type:uuid" json:"actor_id"`
	ActorKey   *uuid.UUID     `bun:"actor_key,type:uuid" json:"actor_key_id"`
	ActorKind  actor.Kind     `bun:"actor_kind" json:"actor_kind"`
	ActorEmail string         `bun:"actor_email" json:"actor_email"`
	Action     string         `bun:"action" json:"action"`
	TargetType string         `bun:"target_type" json:"target_type"`
	TargetID   string         `bun:"target_id" json:"target_id"`
	IP         string         `bun:"ip" json:"ip"`
	UserAgent  string         `bun:"user_agent" json:"user_agent"`
	Metadata   map[string]any `bun:"metadata,type:jsonb" json:"metadata"`
	// BySupport: a platform admin acted (actor.Actor.Platform); the
	// tenant's log shows "mailvet support" for ActorEmail.
	BySupport bool `bun:"by_support" json:"by_support"`
	// RequestID is the acting request's X-Request-Id ("" for jobs, CLI).
	RequestID string `bun:"request_id" json:"request_id"`
	// Changes is the before and after of what changed, by field.
	Changes   map[string]Change `bun:"changes,type:jsonb,nullzero" json:"changes"`
	CreatedAt time.Time         `bun:"created_at,nullzero,default:now()" json:"created_at"`
	// TenantSlug names the tenant in the platform's log (read only).
	TenantSlug string `bun:"tenant_slug,scanonly" json:"tenant_slug,omitempty"`

	bun.BaseModel `bun:"table:audit_events,alias:e"`
}

// Change is one field's value before and after an action.
type Change struct {
	Before any `json:"before"`
	After  any `json:"after"`
}

// Actions recorded today. Keep them stable: exports and alerts match on them.
const (
	SignUp           = "user.sign_up"
	SignInSucceeded  = "user.sign_in"
	SignInFailed     = "user.sign_in_failed"
	SignOutAll       = "user.sign_out_all"
	EmailVerified    = "user.email_verified"
	PasswordChanged  = "user.password_changed"
	PasswordReset    = "user.password_reset"
	UserRenamed      = "user.renamed"
	EmailChangeAsked = "user.email_change_requested"
	EmailChanged     = "user.email_changed"
	SessionRevoked   = "session.revoked"
	UserLocked       = "user.locked"
	UserUnlocked     = "user.unlocked"
	UserResetForced  = "user.password_reset_forced"
	PlatformAdminSet = "user.platform_admin_changed"
	TenantCreated    = "tenant.created"
	TenantUpdated    = "tenant.updated"
	TenantSuspended  = "tenant.suspended"
	TenantResumed    = "tenant.resumed"
	// TenantOperatorSettingsChanged: a platform admin changed the settings
	// only operators set (connections per MX, cache bounds, webhook CIDRs).
	TenantOperatorSettingsChanged = "tenant.operator_settings_changed"
	InviteCreated                 = "invite.created"
	InviteRevoked                 = "invite.revoked"
	InviteAccepted                = "invite.accepted"
	MemberRoleChange              = "member.role_changed"
	MemberRemoved                 = "member.removed"
	APIKeyCreated                 = "api_key.created"
	APIKeyRevoked                 = "api_key.revoked"
	APIKeyLimits                  = "api_key.limits_changed"
	APIKeyRolled                  = "api_key.rolled"
	APIKeyRotated                 = "api_key.rotated" // rolled by the automatic rotation
	APIKeyRevealed                = "api_key.revealed"
	APIKeyExpired                 = "api_key.expired"
	KeyPolicyChanged              = "tenant.key_policy_changed"
)

// Record writes one event in tx, the transaction of the change it
// describes. An actor without a kind is refused: every event says who.
func Record(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, by actor.Actor, action, targetType, targetID string, metadata map[string]any) error {
	return RecordChanges(ctx, tx, tenantID, by, action, targetType, targetID, metadata, nil)
}

// RecordChanges is Record with the before and after of each field the
// action changed (settings, roles, limits, plans); fields whose value is
// the same before and after are left out, and so is an empty set.
func RecordChanges(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, by actor.Actor, action, targetType, targetID string, metadata map[string]any, changes map[string]Change) error {
	if by.Kind == "" {
		return fmt.Errorf("record audit event %s: %w", action, actor.ErrForbidden)
	}
	e := &Event{
		ActorKind:  by.Kind,
		ActorEmail: safetext.Truncate(by.Email, 320),
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		IP:         by.IP,
		UserAgent:  safetext.Truncate(by.UserAgent, 512),
		Metadata:   metadata,
		BySupport:  by.Platform,
		RequestID:  safetext.Truncate(by.RequestID, 200),
	}
	for field, c := range changes {
		if reflect.DeepEqual(c.Before, c.After) {
			delete(changes, field)
		}
	}
	if len(changes) > 0 {
		e.Changes = changes
	}
	if e.Metadata == nil {
		e.Metadata = map[string]any{}
	}
	if tenantID != uuid.Nil {
		e.TenantID = &tenantID
	}
	if by.Kind == actor.KindSystem && by.Job != "" {
		e.ActorEmail = "job:" + by.Job
	}
	if by.UserID != uuid.Nil {
		e.ActorID = &by.UserID
	}
	if by.APIKeyID != uuid.Nil {
		e.ActorKey = &by.APIKeyID
	}
	if _, err := tx.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("record audit event %s: %w", action, err)
	}
	return nil
}

// List returns a tenant's most recent events, newest first, read in tx
// (a transaction of that tenant).
func List(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, limit int) ([]Event, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var events []Event
	err := tx.NewSelect().Model(&events).
		Where("tenant_id = ?", tenantID).
		OrderExpr("created_at DESC, id DESC").
		Limit(int64(limit)).
		Scan(ctx)
	return events, err
}
