package audit_test

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"mailvet/audit"
	"mailvet/db/dbtest"
)

func TestEventsAreScopedToTheirTenant(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	var a, b uuid.UUID
	for _, id := range []*uuid.UUID{&a, &b} {
		if err := d.Bun.NewRaw("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id", "T", uuid.NewString()[:8]).Scan(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	actor := audit.Actor{Email: "ann@example.com", IP: "203.0.113.9", UserAgent: "test"}
	if err := audit.Record(ctx, d.Bun, a, actor, audit.APIKeyCreated, "api_key", "k1", map[string]any{"mode": "live"}); err != nil {
		t.Fatal(err)
	}
	if err := audit.Record(ctx, d.Bun, uuid.Nil, actor, audit.SignInFailed, "", "", nil); err != nil {
		t.Fatal(err)
	}

	got, err := audit.List(ctx, d.Bun, a, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Action != audit.APIKeyCreated || got[0].IP != "203.0.113.9" || got[0].Metadata["mode"] != "live" {
		t.Fatalf("tenant A sees %+v", got)
	}
	other, err := audit.List(ctx, d.Bun, b, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(other) != 0 {
		t.Fatalf("tenant B sees A's or platform events: %+v", other)
	}
}
