// Package actor says who is acting: a signed-in user with a role in the
// tenant, an API key, the operator CLI or a system job. Every
// state-changing domain call takes one, checks it with RequireIn and
// writes it to the audit log. There is no zero value that is allowed: an Actor
// whose Kind is unset is refused.
package actor

import (
	"errors"

	"github.com/google/uuid"
)

// Kind is what sort of actor acts.
type Kind string

const (
	KindUser     Kind = "user"
	KindAPIKey   Kind = "api_key"
	KindOperator Kind = "operator" // the mailvet admin CLI
	KindSystem   Kind = "system"   // a background job acting on its own
)

// Role is a member's power within a tenant: the one role type of the
// product.
type Role string

const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r == RoleOwner || r == RoleAdmin || r == RoleMember }

// CanManage says whether the role may manage members, invites, keys, rules
// and other people's lists.
func (r Role) CanManage() bool { return r == RoleOwner || r == RoleAdmin }

func (r Role) rank() int {
	switch r {
	case RoleOwner:
		return 3
	case RoleAdmin:
		return 2
	case RoleMember:
		return 1
	}
	return 0
}

// AtLeast reports whether r is min or stronger.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && r.rank() > 0 }

// Actor is who acts and from where.
type Actor struct {
	Kind      Kind
	Role      Role // the user's role in the tenant; an API key acts as an admin
	UserID    uuid.UUID
	APIKeyID  uuid.UUID
	Email     string
	IP        string
	UserAgent string
	// TestMode: the actor is a test key, which sees and changes only
	// test-mode data.
	TestMode bool
	// Job names the background job of a KindSystem actor.
	Job string
	// TenantID is the tenant a user or API key acts in (set with In): the
	// one its role was read for, or the key's own. A user or key acts in
	// no other tenant (RequireIn); the operator and system jobs act in any.
	TenantID uuid.UUID
	// Platform: a platform admin acting from the admin console, as an
	// owner of any tenant. The audit log records each such action twice:
	// on the platform's log with the admin, and on the tenant's own as
	// "mailvet support".
	Platform bool
}

// User is a signed-in member of the tenant with role.
func User(id uuid.UUID, email string, role Role) Actor {
	return Actor{Kind: KindUser, UserID: id, Email: email, Role: role}
}

// APIKey is an API key acting for its tenant (as an admin: keys have no
// role of their own). testMode is true for mv_test_ keys.
func APIKey(id uuid.UUID, testMode bool) Actor {
	return Actor{Kind: KindAPIKey, APIKeyID: id, Role: RoleAdmin, TestMode: testMode}
}

// PlatformAdmin is a platform admin acting from the admin console (only
// the console builds it, for users whose platform_admin flag is set).
func PlatformAdmin(id uuid.UUID, email string) Actor {
	return Actor{Kind: KindUser, UserID: id, Email: email, Role: RoleOwner, Platform: true}
}

// Operator is the mailvet admin CLI, run by whoever operates the service:
// it acts as an owner of any tenant.
func Operator() Actor { return Actor{Kind: KindOperator, Email: "cli", Role: RoleOwner} }

// System is a background job acting on its own (job names it).
func System(job string) Actor { return Actor{Kind: KindSystem, Job: job, Role: RoleOwner} }

// In sets the tenant the actor acts in.
func (a Actor) In(tenantID uuid.UUID) Actor {
	a.TenantID = tenantID
	return a
}

// From sets where the actor acts from, for the audit log.
func (a Actor) From(ip, userAgent string) Actor {
	a.IP, a.UserAgent = ip, userAgent
	return a
}

// RequirePlatform lets through a platform admin acting from the console
// and the operator CLI, and refuses everyone else (ErrForbidden): what
// concerns the platform, not one tenant.
func (a Actor) RequirePlatform() error {
	if (a.Kind == KindUser && a.Platform) || a.Kind == KindOperator {
		return nil
	}
	return ErrForbidden
}

// ErrForbidden says the actor may not do what it asked.
var ErrForbidden = errors.New("forbidden")

// ErrOtherTenant says a user or API key asked to act in a tenant other
// than its own. Domains answer it as their ErrNotFound: another tenant's
// records are not found, their existence is not revealed.
var ErrOtherTenant = errors.New("actor of another tenant")

// RequireIn refuses an actor without a kind, or whose role is below min
// (ErrForbidden), and a user or API key that acts in a tenant other than
// tenantID (ErrOtherTenant). The operator CLI and system jobs act in any
// tenant. The domain checks it itself rather than trusting its caller to
// pair an actor with its own tenant.
func (a Actor) RequireIn(tenantID uuid.UUID, min Role) error {
	switch a.Kind {
	case KindUser, KindAPIKey:
		if a.Platform && a.Kind == KindUser {
			break
		}
		if a.TenantID == uuid.Nil || a.TenantID != tenantID {
			return ErrOtherTenant
		}
	case KindOperator, KindSystem:
	default:
		return ErrForbidden
	}
	if !a.Role.AtLeast(min) {
		return ErrForbidden
	}
	return nil
}
