package jobs_test

import (
	"context"
	"testing"
	"time"

	"mailvet/billing"
	"mailvet/db"
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
	ws := newJobsWorkspace(t, d)
	store, u, log := ws.store, ws.user, ws.log
	_, live := tenants.NewToken()
	_, expired := tenants.NewToken()
	for _, h := range [][]byte{live, expired} {
		if _, err := store.CreateSession(ctx, tenants.NewSession{TokenHash: h, UserID: u.ID, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	// Age one session and the invitation, and store Stripe event ids: one
	// processed 91 days ago (past billing.EventMemory), one yesterday.
	if err := d.Tx(ctx, db.System("test: age rows across tenants"), func(ctx context.Context, tx db.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE sessions SET expires_at = now() - make_interval(secs => ?) WHERE token_hash = ?`, []any{time.Minute.Seconds(), expired}},
			{`UPDATE invites SET expires_at = now() - make_interval(secs => ?)`, []any{time.Minute.Seconds()}},
			{`INSERT INTO stripe_events (id, type, received_at) VALUES
				('evt_old', 'invoice.paid', now() - make_interval(secs => ?)), ('evt_recent', 'invoice.paid', now() - make_interval(secs => ?))`,
				[]any{(91 * 24 * time.Hour).Seconds(), (24 * time.Hour).Seconds()}},
		} {
			if _, err := tx.NewRaw(q.sql, q.args...).Exec(ctx); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	keyless := billing.NewStripe(d, billing.NewService(d, nil, 0, func(p string) string { return p }), billing.StripeConfig{})

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
		if err := d.Tx(ctx, db.System("test: count what is left across tenants"), func(ctx context.Context, tx db.Tx) error {
			return tx.NewRaw(`SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM invites),
				(SELECT coalesce(string_agg(id, ','), '') FROM stripe_events)`).Scan(ctx, &sessions, &invites, &events)
		}); err != nil {
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
