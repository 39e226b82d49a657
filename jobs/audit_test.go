package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/tenants"
)

// The periodic audit purge runs on a real River worker and deletes the
// events older than the retention setting, keeping the rest.
func TestPeriodicAuditPurgeKeepsRetention(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	ws := newJobsWorkspace(t, d)
	store, owner, tn, log := ws.store, ws.owner, ws.tenant, ws.log
	count := func(where string) (n int) {
		t.Helper()
		if err := d.Tx(ctx, db.System("test: count audit events"), func(ctx context.Context, tx db.Tx) error {
			return tx.NewRaw(`SELECT count(*) FROM audit_events WHERE `+where).Scan(ctx, &n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Every event so far is 31 days old; the retention is 30 days.
	if err := d.Tx(ctx, db.System("test: age audit events"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewRaw(`UPDATE audit_events SET created_at = now() - interval '31 days'`).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	old := count("true")
	if old < 2 {
		t.Fatalf("%d events to age, want the sign-up's and the invite's", old)
	}
	if _, err := store.CreateInvite(ctx, tn.ID, "new@acme.test", actor.RoleMember, owner); err != nil {
		t.Fatal(err)
	}

	worker, err := jobs.NewClient(d, jobs.Deps{Tenants: store, Mailer: discardSender{}, Audit: audit.NewStore(d), AuditRetention: 30 * 24 * time.Hour},
		jobs.Options{Work: true, Logger: log, PurgeEvery: time.Hour, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })

	deadline := time.Now().Add(30 * time.Second)
	for count("created_at < now() - interval '30 days'") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("after 30s the events past retention are still there")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := count("action = 'invite.created'"); n != 1 {
		t.Fatalf("%d recent invite events left, want 1", n)
	}
}

// jobsWorkspace is a signed-up workspace whose owner invited someone.
type jobsWorkspace struct {
	store  *tenants.Store
	user   tenants.User
	tenant tenants.Tenant
	owner  actor.Actor
	log    *slog.Logger
}

func newJobsWorkspace(t *testing.T, d *db.DB) jobsWorkspace {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://mailvet.test")
	store := tenants.NewStore(d, mail.NewQueue(inserter), base, tenants.Options{})
	u, tn, err := store.SignUp(ctx, tenants.SignUpInput{Company: "Acme", Email: "ann@acme.test", Password: "correct horse battery"}, actor.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	owner := actor.User(u.ID, u.Email, actor.RoleOwner).In(tn.ID)
	if _, err := store.CreateInvite(ctx, tn.ID, "old@acme.test", actor.RoleMember, owner); err != nil {
		t.Fatal(err)
	}
	return jobsWorkspace{store: store, user: u, tenant: tn, owner: owner, log: log}
}
