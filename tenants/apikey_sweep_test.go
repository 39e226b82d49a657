package tenants_test

import (
	"context"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/tenants"
)

// Expiry notices go to the owners, the admins and the technical contact,
// not to members; a key a week from its end gets the 7-day notice, then
// the 1-day one, then "expired", each once however often the sweep runs.
func TestExpiryNoticesReachOwnersAndAdminsOnce(t *testing.T) {
	clock := newClock()
	f := setupWith(t, tenants.Options{Now: clock.Now})
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	for email, role := range map[string]actor.Role{"admin@example.com": actor.RoleAdmin, "member@example.com": actor.RoleMember} {
		u, err := f.store.CreateUser(ctx, email, "", goodPassword, false, actor.Operator())
		if err != nil {
			t.Fatal(err)
		}
		f.exec(t, "INSERT INTO memberships (tenant_id, user_id, role) VALUES ($1, $2, $3)", tn.ID, u.ID, string(role))
	}
	if _, err := f.store.UpdateTenant(ctx, tn.ID, "Acme", tenants.Settings{TechnicalEmail: "ops@example.com"}, by); err != nil {
		t.Fatal(err)
	}
	k, _, err := f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: "ETL", Mode: tenants.ModeLive, Expiry: tenants.Expiry{Days: 10}}, by)
	if err != nil {
		t.Fatal(err)
	}
	notices := func(subject string) map[string]int {
		got := map[string]int{}
		for _, to := range []string{"owner@example.com", "admin@example.com", "member@example.com", "ops@example.com"} {
			got[to] = f.count(t, "SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND args->>'to' = $1 AND args->>'subject' = $2", to, subject)
		}
		return got
	}
	sweep := func(want int) {
		t.Helper()
		r, err := f.store.SweepAPIKeys(ctx)
		if err != nil || r.Notices != want {
			t.Fatalf("sweep: %+v, %v; want %d notices", r, err, want)
		}
	}
	sweep(0) // 10 days out: nothing yet
	for _, step := range []struct {
		advance time.Duration
		subject string
	}{
		{4 * 24 * time.Hour, "API key “ETL” expires in 7 days"},
		{5*24*time.Hour + time.Hour, "API key “ETL” expires within a day"},
		{24 * time.Hour, "API key “ETL” has expired"},
	} {
		clock.Advance(step.advance)
		sweep(1)
		sweep(0)
		got := notices(step.subject)
		if got["owner@example.com"] != 1 || got["admin@example.com"] != 1 || got["ops@example.com"] != 1 || got["member@example.com"] != 0 {
			t.Fatalf("%q went to %v", step.subject, got)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE action = 'api_key.expired' AND target_id = $1", k.ID.String()); n != 1 {
		t.Fatalf("%d expiry audit events, want 1", n)
	}
}
