package cli_test

import (
	"context"
	"maps"
	"strconv"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// Two `mailvet work` processes of one database, each with its own engine
// and pool, verify one list on the farm with a cap of 5 connections per
// MX: the farm, which would take 50, never sees more than 5 at once to
// one MX, and every row gets the farm's verdict.
func TestTwoWorkProcessesKeepTheCapPerMX(t *testing.T) {
	farm := mailsim.ReferenceFarm(5, mailsim.FarmOptions{Addresses: 12000, Domains: 40, MaxConnsPerMX: 50, Latency: 5 * time.Millisecond})
	world := mailsim.Start(t, farm.Config())
	d, dbURL := dbtest.NewWithURL(t)
	svc, owner, tenant := workspace(t, d, "Capped")
	by := actor.User(owner.ID, owner.Email, actor.RoleOwner).In(tenant.ID)
	if err := d.Tx(context.Background(), db.Tenant(tenant.ID), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO subscriptions (tenant_id, plan_id, status) VALUES (?, 'premium', 'active')`, tenant.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	env := processEnv(dbURL)
	env["MAILVET_DNS_SERVER"], env["MAILVET_SMTP_PORT"] = world.DNSAddr(), strconv.Itoa(world.SMTPPort())
	env["MAILVET_SMTP_MAX_CONNS_PER_HOST"] = "5"
	for range 2 {
		startProcess(t, "work", maps.Clone(env), "")
	}
	world.ResetStats()
	l, _, err := svc.Lists.Create(context.Background(), lists.NewList{TenantID: tenant.ID, By: by, Name: "farm", Emails: farm.Emails()})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the list to complete", func() bool {
		got, err := svc.Lists.Get(context.Background(), tenant.ID, l.ID, by)
		return err == nil && got.Status == lists.StatusCompleted
	})
	got, _ := svc.Lists.Get(context.Background(), tenant.ID, l.ID, by)
	if got.ProcessedRows != len(farm.Addresses) || got.Unknown != 0 {
		t.Fatalf("list %+v: want every row verified, none unknown", got)
	}
	most := 0
	for _, h := range world.Hosts() {
		most = max(most, world.Stats(h).PeakActive)
	}
	if most > 5 {
		t.Fatalf("an MX saw %d connections at once from the two processes, want at most 5", most)
	}
}
