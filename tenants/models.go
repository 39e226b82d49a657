// Package tenants owns companies (tenants), the people in them, how they
// sign in (passwords, sessions, emailed links) and the API keys that act
// for them. Every method that reads tenant data takes the tenant's ID.
package tenants

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/actor"
)

// Tenant is a customer company.
type Tenant struct {
	ID       uuid.UUID `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Name     string    `bun:"name"`
	Slug     string    `bun:"slug"`
	Status   string    `bun:"status"`
	Settings Settings  `bun:"settings,type:jsonb"`
	// Operator holds what only platform admins set (OperatorSettings).
	Operator OperatorSettings `bun:"operator_settings,type:jsonb"`
	// SuspendedReason and SuspendedAt say why and since when a platform
	// admin suspended the tenant (Status "suspended").
	SuspendedReason string     `bun:"suspended_reason"`
	SuspendedAt     *time.Time `bun:"suspended_at"`
	// TimeZone is the IANA zone its list schedules run in unless they
	// name their own.
	TimeZone  string    `bun:"time_zone,nullzero,default:'UTC'"`
	CreatedAt time.Time `bun:"created_at,nullzero,default:now()"`
	UpdatedAt time.Time `bun:"updated_at,nullzero,default:now()"`

	bun.BaseModel `bun:"table:tenants"`
}

// Settings are a tenant's own preferences.
type Settings struct {
	// TechnicalEmail receives operational notices (key expiry, failures);
	// empty means the owners.
	TechnicalEmail string `json:"technical_email,omitempty"`
	// CacheTTLDays is how long verification results are reused; 0 means
	// the default (7 days), -1 turns the cache off.
	CacheTTLDays int `json:"cache_ttl_days,omitempty"`
	// KeyPolicy: expiry required, roll grace, automatic rotation.
	KeyPolicy
}

// DefaultCacheTTLDays is the result cache lifetime of a new tenant.
const DefaultCacheTTLDays = 7

// chosenCacheTTL is the lifetime the tenant chose; Tenant.CacheTTL holds
// it within the operator's bounds, and is what everyone else reads.
func (s Settings) chosenCacheTTL() time.Duration {
	switch {
	case s.CacheTTLDays < 0:
		return 0
	case s.CacheTTLDays == 0:
		return DefaultCacheTTLDays * 24 * time.Hour
	default:
		return time.Duration(s.CacheTTLDays) * 24 * time.Hour
	}
}

// Active reports whether the tenant may use the service.
func (t Tenant) Active() bool { return t.Status == "active" }

// User is a person who can sign in.
type User struct {
	ID              uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	Email           string     `bun:"email"`
	Name            string     `bun:"name"`
	PasswordHash    string     `bun:"password_hash"`
	EmailVerifiedAt *time.Time `bun:"email_verified_at"`
	PlatformAdmin   bool       `bun:"platform_admin"`
	// LockedAt: a platform admin locked the user out, for LockedReason.
	LockedAt     *time.Time `bun:"locked_at"`
	LockedReason string     `bun:"locked_reason"`
	CreatedAt    time.Time  `bun:"created_at,nullzero,default:now()"`
	UpdatedAt    time.Time  `bun:"updated_at,nullzero,default:now()"`

	bun.BaseModel `bun:"table:users"`
}

// Verified reports whether the user proved they own their address.
func (u User) Verified() bool { return u.EmailVerifiedAt != nil }

// Membership joins a user to a tenant with a role.
type Membership struct {
	TenantID  uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,pk,type:uuid"`
	Role      actor.Role `bun:"role"`
	CreatedAt time.Time  `bun:"created_at,nullzero,default:now()"`

	bun.BaseModel `bun:"table:memberships"`
}

// Member is a membership with the person's details, for the team page.
type Member struct {
	UserID   uuid.UUID  `bun:"user_id"`
	Email    string     `bun:"email"`
	Name     string     `bun:"name"`
	Role     actor.Role `bun:"role"`
	Verified *time.Time `bun:"email_verified_at"`
	JoinedAt time.Time  `bun:"created_at"`
}

// TenantRole is one of the tenants a user belongs to.
type TenantRole struct {
	Tenant Tenant
	Role   actor.Role
}

// Invite asks someone by email to join a tenant.
type Invite struct {
	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	TenantID   uuid.UUID  `bun:"tenant_id,type:uuid"`
	Email      string     `bun:"email"`
	Role       actor.Role `bun:"role"`
	TokenHash  []byte     `bun:"token_hash"`
	InvitedBy  *uuid.UUID `bun:"invited_by,type:uuid"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	AcceptedAt *time.Time `bun:"accepted_at"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,default:now()"`
	// Resent says CreateInvite replaced a pending invite to the address.
	Resent bool `bun:"-"`

	bun.BaseModel `bun:"table:invites"`
}

// APIKey lets a program act for a tenant. Only a hash of the key is kept.
type APIKey struct {
	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	TenantID   uuid.UUID  `bun:"tenant_id,type:uuid"`
	Name       string     `bun:"name"`
	Mode       KeyMode    `bun:"mode"`
	Prefix     string     `bun:"prefix"`
	KeyHash    []byte     `bun:"key_hash"`
	CreatedBy  *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,default:now()"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	ExpiresAt  *time.Time `bun:"expires_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	// A key's own limits, below its plan's (nil: the plan's).
	RatePerMinute *int `bun:"rate_per_minute"`
	DailyLimit    *int `bun:"daily_limit"`
	MonthlyLimit  *int `bun:"monthly_limit"`
	// Scopes are what the key may call (see AllScopes).
	Scopes []string `bun:"scopes,array"`
	// LifetimeDays is the key's lifetime when made (nil: never expires);
	// its successor gets as many days.
	LifetimeDays *int `bun:"lifetime_days"`
	// RolledFrom is the key this one succeeds; RolledAt, on the old key,
	// when it was rolled (its grace ends at ExpiresAt).
	RolledFrom   *uuid.UUID `bun:"rolled_from,type:uuid"`
	RolledAt     *time.Time `bun:"rolled_at"`
	ExpiryNotice int        `bun:"expiry_notice"`
	// ImportedAt is set on a key imported from the old service (its
	// plaintext was in a file): it should be rotated soon.
	ImportedAt *time.Time `bun:"imported_at"`

	bun.BaseModel `bun:"table:api_keys"`
}

// Unrevealed reports a successor made by automatic rotation whose secret
// nobody has revealed yet: it has none, so it cannot be used.
func (k APIKey) Unrevealed() bool { return k.KeyHash == nil && k.RevokedAt == nil }

// Working reports whether the key authenticates at now: not revoked, not
// expired (its grace over, if rolled) and revealed.
func (k APIKey) Working(now time.Time) bool {
	return k.RevokedAt == nil && k.KeyHash != nil && (k.ExpiresAt == nil || k.ExpiresAt.After(now))
}

// Limits are the key's own limits.
func (k APIKey) Limits() KeyLimits {
	return KeyLimits{RatePerMinute: k.RatePerMinute, Daily: k.DailyLimit, Monthly: k.MonthlyLimit}
}

// TestMode reports whether k is a test key, which sees and changes only
// test-mode data. It is the one place that decides "test key ⇒ test
// mode": the mode column, which AuthenticateKey checks against the key's
// mv_live_/mv_test_ prefix.
func (k APIKey) TestMode() bool { return k.Mode == ModeTest }

// Actor is the key acting for its tenant.
func (k APIKey) Actor() actor.Actor { return actor.APIKey(k.ID, k.TestMode()).In(k.TenantID) }

// KeyMode separates keys that do real work from keys for integration tests.
type KeyMode string

const (
	ModeLive KeyMode = "live"
	ModeTest KeyMode = "test"
)

// Session is a signed-in browser. The cookie holds a secret whose hash is
// TokenHash; ID is a public handle for listing and revoking.
type Session struct {
	ID         uuid.UUID      `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	TokenHash  []byte         `bun:"token_hash"`
	UserID     uuid.UUID      `bun:"user_id,type:uuid"`
	TenantID   *uuid.UUID     `bun:"tenant_id,type:uuid"`
	Data       map[string]any `bun:"data,type:jsonb"`
	IP         string         `bun:"ip"`
	UserAgent  string         `bun:"user_agent"`
	CreatedAt  time.Time      `bun:"created_at,nullzero,default:now()"`
	LastSeenAt time.Time      `bun:"last_seen_at,nullzero,default:now()"`
	ExpiresAt  time.Time      `bun:"expires_at"`

	bun.BaseModel `bun:"table:sessions"`
}
