package platform_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/platform"
)

// The console reads every tenant, for the platform alone: a tenant's own
// owner, an API key and a job are refused everything, and a tenant or
// user that does not exist is not found.
func TestOnlyThePlatformReadsAcrossTenants(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	svc := platform.NewService(d)
	var a, b uuid.UUID
	if err := d.Tx(ctx, db.System("test: two tenants"), func(ctx context.Context, tx db.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO tenants (name, slug) VALUES ('Alpha Co', 'alpha') RETURNING id`).Scan(&a); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO tenants (name, slug) VALUES ('Beta Co', 'beta') RETURNING id`).Scan(&b)
	}); err != nil {
		t.Fatal(err)
	}
	for _, by := range []actor.Actor{actor.User(uuid.New(), "ann@alpha.test", actor.RoleOwner).In(a), actor.APIKey(uuid.New(), false).In(a), actor.System("job")} {
		if _, _, err := svc.Tenants(ctx, platform.TenantQuery{}, by); !errors.Is(err, actor.ErrForbidden) {
			t.Errorf("%s listed tenants: %v", by.Kind, err)
		}
		if _, err := svc.Tenant(ctx, a, by); !errors.Is(err, actor.ErrForbidden) {
			t.Errorf("%s read a tenant: %v", by.Kind, err)
		}
		if _, err := svc.Users(ctx, "", by); !errors.Is(err, actor.ErrForbidden) {
			t.Errorf("%s listed users: %v", by.Kind, err)
		}
		if _, err := svc.DeadLetters(ctx, uuid.Nil, 0, by); !errors.Is(err, actor.ErrForbidden) {
			t.Errorf("%s listed dead letters: %v", by.Kind, err)
		}
	}
	admin := actor.PlatformAdmin(uuid.New(), "ops@mailvet.test")
	rows, _, err := svc.Tenants(ctx, platform.TenantQuery{}, admin)
	if err != nil || len(rows) != 2 {
		t.Fatalf("the platform sees %d tenants (%v), want both", len(rows), err)
	}
	rows, _, err = svc.Tenants(ctx, platform.TenantQuery{Q: "beta"}, admin)
	if err != nil || len(rows) != 1 || rows[0].ID != b {
		t.Fatalf("search for beta: %+v (%v)", rows, err)
	}
	if _, _, err := svc.Tenants(ctx, platform.TenantQuery{Sort: "sideways"}, admin); !errors.Is(err, platform.ErrBadSort) {
		t.Fatalf("a bad sort: %v", err)
	}
	if d, err := svc.Tenant(ctx, a, admin); err != nil || d.Name != "Alpha Co" || len(d.Usage) != 30 {
		t.Fatalf("alpha's detail: %+v (%v)", d.TenantRow, err)
	}
	if _, err := svc.Tenant(ctx, uuid.New(), admin); !errors.Is(err, platform.ErrNotFound) {
		t.Fatalf("a missing tenant: %v", err)
	}
	if _, err := svc.User(ctx, uuid.New(), admin); !errors.Is(err, platform.ErrNotFound) {
		t.Fatalf("a missing user: %v", err)
	}
}
