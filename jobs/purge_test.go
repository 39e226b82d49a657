package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"mailvet/audit"
	"mailvet/billing"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/tenants"
)

// The periodic purge runs on a real River worker and removes expired
// sessions and invitations while keeping live ones.
func TestPeriodicPurgeRemovesExpiredRows(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://mailvet.test")
	store := tenants.NewStore(d.Bun, mail.NewQueue(inserter), base, tenants.Options{})

	u, tn, err := store.SignUp(ctx, tenants.SignUpInput{Company: "Acme", Email: "ann@acme.test", Password: "correct horse battery"}, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateInvite(ctx, tn.ID, "old@acme.test", tenants.RoleMember, audit.Actor{}); err != nil {
		t.Fatal(err)
	}
	_, live := tenants.NewToken()
	_, expired := tenants.NewToken()
	for _, h := range [][]byte{live, expired} {
		if _, err := store.CreateSession(ctx, tenants.NewSession{TokenHash: h, UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := d.Pool.Exec(ctx, `UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = $1`, expired); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pool.Exec(ctx, `UPDATE invites SET expires_at = now() - interval '1 minute'`); err != nil {
		t.Fatal(err)
	}

	// Stripe event ids: one processed 91 days ago (past billing.EventMemory), one yesterday.
	if _, err := d.Pool.Exec(ctx, `INSERT INTO stripe_events (id, type, received_at) VALUES
		('evt_old', 'invoice.paid', now() - interval '91 days'), ('evt_recent', 'invoice.paid', now() - interval '1 day')`); err != nil {
		t.Fatal(err)
	}
	keyless := billing.NewStripe(d.SQL, billing.NewService(d.SQL, nil, 0, func(p string) string { return p }), billing.StripeConfig{})

	worker, err := jobs.NewClient(d, jobs.Deps{Tenants: store, Mailer: discardSender{}, Stripe: keyless},
		jobs.Options{Work: true, Logger: log, PurgeEvery: time.Second, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })

	deadline := time.Now().Add(30 * time.Second)
	for {
		var sessions, invites int
		var events string
		if err := d.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM invites),
			(SELECT coalesce(string_agg(id, ','), '') FROM stripe_events)`).Scan(&sessions, &invites, &events); err != nil {
			t.Fatal(err)
		}
		if sessions == 1 && invites == 0 && events == "evt_recent" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s: %d sessions (want 1), %d invites (want 0), Stripe events %q (want evt_recent)", sessions, invites, events)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := store.SessionByToken(ctx, live); err != nil {
		t.Fatalf("live session purged: %v", err)
	}
}

type discardSender struct{}

func (discardSender) Send(context.Context, mail.Message) error { return nil }
