package audit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/db/dbtest"
)

func TestEventsAreScopedToTheirTenant(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	var a, b uuid.UUID
	for _, id := range []*uuid.UUID{&a, &b} {
		err := d.Tx(ctx, db.System("test: create tenants"), func(ctx context.Context, tx db.Tx) error {
			return tx.NewRaw("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id", "T", uuid.NewString()[:8]).Scan(ctx, id)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	by := actor.User(uuid.Nil, "ann@example.com", actor.RoleOwner).From("203.0.113.9", "test")
	err := d.Tx(ctx, db.Tenant(a), func(ctx context.Context, tx db.Tx) error {
		return audit.Record(ctx, tx, a, by, audit.APIKeyCreated, "api_key", "k1", map[string]any{"mode": "live"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = d.Tx(ctx, db.System("test: a platform event"), func(ctx context.Context, tx db.Tx) error {
		return audit.Record(ctx, tx, uuid.Nil, by, audit.SignInFailed, "", "", nil)
	})
	if err != nil {
		t.Fatal(err)
	}

	list := func(tenant uuid.UUID) []audit.Event {
		var got []audit.Event
		err := d.Tx(ctx, db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
			var err error
			got, err = audit.List(ctx, tx, tenant, 10)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := list(a)
	if len(got) != 1 || got[0].Action != audit.APIKeyCreated || got[0].IP != "203.0.113.9" || got[0].Metadata["mode"] != "live" || got[0].ActorKind != actor.KindUser {
		t.Fatalf("tenant A sees %+v", got)
	}
	if other := list(b); len(other) != 0 {
		t.Fatalf("tenant B sees A's or platform events: %+v", other)
	}
	// Even asking for A's events by id, B's transaction sees none of them.
	err = d.Tx(ctx, db.Tenant(b), func(ctx context.Context, tx db.Tx) error {
		got, err := audit.List(ctx, tx, a, 10)
		if len(got) != 0 {
			t.Errorf("B's transaction reads A's events: %+v", got)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAnActorWithoutAKindIsRefused(t *testing.T) {
	d := dbtest.New(t)
	err := d.Tx(context.Background(), db.System("test: a platform event"), func(ctx context.Context, tx db.Tx) error {
		return audit.Record(ctx, tx, uuid.Nil, actor.Actor{Email: "x@example.com"}, audit.SignInFailed, "", "", nil)
	})
	if !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("Record with a zero actor = %v, want ErrForbidden", err)
	}
}
