// Package audit records who did what, to which tenant, from where. Events
// are written inside the transaction of the change they describe, so a
// change and its audit line commit or roll back together.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Actor is who acts and from where: a signed-in user, an API key, or the
// operator CLI (all zero but Email "cli").
type Actor struct {
	UserID    uuid.UUID
	APIKeyID  uuid.UUID
	Email     string
	IP        string
	UserAgent string
}

// Event is one line of the audit log. A nil TenantID is a platform event.
type Event struct {
	ID         int64          `bun:"id,pk,autoincrement"`
	TenantID   *uuid.UUID     `bun:"tenant_id,type:uuid"`
	ActorID    *uuid.UUID     `bun:"actor_id,type:uuid"`
	ActorKey   *uuid.UUID     `bun:"actor_key,type:uuid"`
	ActorEmail string         `bun:"actor_email"`
	Action     string         `bun:"action"`
	TargetType string         `bun:"target_type"`
	TargetID   string         `bun:"target_id"`
	IP         string         `bun:"ip"`
	UserAgent  string         `bun:"user_agent"`
	Metadata   map[string]any `bun:"metadata,type:jsonb"`
	CreatedAt  time.Time      `bun:"created_at,nullzero,default:now()"`

	bun.BaseModel `bun:"table:audit_events"`
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
	SessionRevoked   = "session.revoked"
	TenantCreated    = "tenant.created"
	TenantUpdated    = "tenant.updated"
	InviteCreated    = "invite.created"
	InviteRevoked    = "invite.revoked"
	InviteAccepted   = "invite.accepted"
	MemberRoleChange = "member.role_changed"
	MemberRemoved    = "member.removed"
	APIKeyCreated    = "api_key.created"
	APIKeyRevoked    = "api_key.revoked"
	APIKeyLimits     = "api_key.limits_changed"
)

// Record writes one event through db (a transaction or the pool).
func Record(ctx context.Context, db bun.IDB, tenantID uuid.UUID, actor Actor, action, targetType, targetID string, metadata map[string]any) error {
	e := &Event{
		ActorEmail: actor.Email,
		Action:     action,
		TargetType: targetType,
		TargetID:   targetID,
		IP:         actor.IP,
		UserAgent:  truncate(actor.UserAgent, 512),
		Metadata:   metadata,
	}
	if e.Metadata == nil {
		e.Metadata = map[string]any{}
	}
	if tenantID != uuid.Nil {
		e.TenantID = &tenantID
	}
	if actor.UserID != uuid.Nil {
		e.ActorID = &actor.UserID
	}
	if actor.APIKeyID != uuid.Nil {
		e.ActorKey = &actor.APIKeyID
	}
	if _, err := db.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("record audit event %s: %w", action, err)
	}
	return nil
}

// List returns a tenant's most recent events, newest first.
func List(ctx context.Context, db bun.IDB, tenantID uuid.UUID, limit int) ([]Event, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var events []Event
	err := db.NewSelect().Model(&events).
		Where("tenant_id = ?", tenantID).
		OrderExpr("created_at DESC, id DESC").
		Limit(int64(limit)).
		Scan(ctx)
	return events, err
}

// MetadataJSON renders the metadata for display.
func (e Event) MetadataJSON() string {
	b, _ := json.Marshal(e.Metadata)
	return string(b)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
