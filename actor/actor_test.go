package actor_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
)

func TestRequireIn(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	admin := actor.User(uuid.New(), "ann@a.test", actor.RoleAdmin)
	key := actor.APIKey(uuid.New(), false)
	for _, c := range []struct {
		name   string
		by     actor.Actor
		tenant uuid.UUID
		min    actor.Role
		want   error
	}{
		{"user in its tenant", admin.In(a), a, actor.RoleAdmin, nil},
		{"user below the role", admin.In(a), a, actor.RoleOwner, actor.ErrForbidden},
		{"user in another tenant", admin.In(b), a, actor.RoleMember, actor.ErrOtherTenant},
		{"user of another tenant, weaker role too", admin.In(b), a, actor.RoleOwner, actor.ErrOtherTenant},
		{"user without a tenant", admin, a, actor.RoleMember, actor.ErrOtherTenant},
		{"user without a tenant, none asked", admin, uuid.Nil, actor.RoleMember, actor.ErrOtherTenant},
		{"key in its tenant", key.In(a), a, actor.RoleAdmin, nil},
		{"key acts as an admin only", key.In(a), a, actor.RoleOwner, actor.ErrForbidden},
		{"key in another tenant", key.In(b), a, actor.RoleMember, actor.ErrOtherTenant},
		{"key without a tenant", key, a, actor.RoleMember, actor.ErrOtherTenant},
		{"operator in any tenant", actor.Operator(), a, actor.RoleOwner, nil},
		{"operator set in another tenant still acts", actor.Operator().In(b), a, actor.RoleOwner, nil},
		{"system job in any tenant", actor.System("sweep"), a, actor.RoleOwner, nil},
		{"zero actor", actor.Actor{}, a, actor.RoleMember, actor.ErrForbidden},
		{"role without a kind", actor.Actor{Role: actor.RoleOwner, TenantID: a}, a, actor.RoleMember, actor.ErrForbidden},
		{"user without a role", actor.User(uuid.New(), "x@a.test", "").In(a), a, actor.RoleMember, actor.ErrForbidden},
	} {
		if err := c.by.RequireIn(c.tenant, c.min); !errors.Is(err, c.want) {
			t.Errorf("%s: RequireIn = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestInKeepsTheRest(t *testing.T) {
	tenant, user := uuid.New(), uuid.New()
	by := actor.User(user, "ann@a.test", actor.RoleOwner).From("198.51.100.1", "test").In(tenant)
	if by.TenantID != tenant || by.UserID != user || by.Role != actor.RoleOwner || by.IP != "198.51.100.1" || by.Kind != actor.KindUser {
		t.Fatalf("In changed more than the tenant: %+v", by)
	}
}

// Only a platform admin from the console and the operator CLI act for
// the platform; a tenant's owner, a key and a job do not.
func TestRequirePlatform(t *testing.T) {
	tenant := uuid.New()
	for _, c := range []struct {
		name string
		a    actor.Actor
		ok   bool
	}{
		{"platform admin", actor.PlatformAdmin(uuid.New(), "ops@mailvet.test"), true},
		{"operator", actor.Operator(), true},
		{"owner", actor.User(uuid.New(), "ann@acme.test", actor.RoleOwner).In(tenant), false},
		{"API key", actor.APIKey(uuid.New(), false).In(tenant), false},
		{"job", actor.System("purge"), false},
		{"nobody", actor.Actor{}, false},
	} {
		if err := c.a.RequirePlatform(); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// A platform admin acts as an owner of any tenant.
	if err := actor.PlatformAdmin(uuid.New(), "ops@mailvet.test").RequireIn(tenant, actor.RoleOwner); err != nil {
		t.Fatal(err)
	}
}
