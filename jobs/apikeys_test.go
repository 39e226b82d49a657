package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/secretbox"
	"mailvet/tenants"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// Two worker processes sweep keys at the same time, several times over:
// the due key is rotated once, and each notice (the rotated key's 1-day
// one, its expiry, another tenant's 7-day one) is one webhook event and
// one mail per recipient.
func TestKeySweepActsOnceWithTwoWorkers(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := secretbox.ParseKeyring("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	hooks := webhooks.NewService(d, inserter, ring, transport.NewClient(transport.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}),
		nil, func(p string) string { return p }, webhooks.Options{})
	c := &clock{t: time.Now()}
	base, _ := url.Parse("http://mailvet.test")
	store := tenants.NewStore(d, mail.NewQueue(inserter), base, tenants.Options{Now: c.now}).WithEvents(hooks)

	owner := func(company, email string) (uuid.UUID, actor.Actor) {
		u, tn, err := store.SignUp(ctx, tenants.SignUpInput{Company: company, Email: email, Password: "correct horse battery"}, actor.Actor{})
		if err != nil {
			t.Fatal(err)
		}
		exec(t, d, "UPDATE users SET email_verified_at = now() WHERE id = $1", u.ID)
		return tn.ID, actor.User(u.ID, u.Email, "").In(tn.ID)
	}
	rotating, ann := owner("Rotating", "ann@rotating.test")
	if _, err := store.SetKeyPolicy(ctx, rotating, tenants.KeyPolicy{RotateAfterDays: 30, RotationGraceHours: 24}, ann); err != nil {
		t.Fatal(err)
	}
	old, _, err := store.CreateAPIKey(ctx, rotating, tenants.NewKeyInput{Name: "CRM", Mode: tenants.ModeLive}, ann)
	if err != nil {
		t.Fatal(err)
	}
	plain, bob := owner("Plain", "bob@plain.test")
	expiring, _, err := store.CreateAPIKey(ctx, plain, tenants.NewKeyInput{Name: "ETL", Mode: tenants.ModeLive, Expiry: tenants.Expiry{Days: 35}}, bob)
	if err != nil {
		t.Fatal(err)
	}

	var workers []*jobs.Client
	for range 2 {
		w, err := jobs.NewClient(d, jobs.Deps{Tenants: store, Mailer: discardSender{}},
			jobs.Options{Work: true, Logger: log, KeySweepEvery: time.Hour, FetchPollInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = w.Stop(context.Background()) })
		workers = append(workers, w)
	}
	sweep := func() {
		t.Helper()
		var ids []int64
		for i := range 6 {
			res, err := workers[i%2].Insert(ctx, jobs.SweepAPIKeysArgs{}, nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, res.Job.ID)
		}
		waitFor(t, d, "the sweeps to complete", func(tx db.Tx) bool {
			var n int
			_ = tx.NewRaw("SELECT count(*) FROM river_job WHERE id IN (?) AND state = 'completed'", bun.In(ids)).Scan(ctx, &n)
			return n == len(ids)
		})
	}

	c.advance(31 * 24 * time.Hour) // the rotating key is due; the other key has 4 days left
	sweep()
	if n := count(t, d, "SELECT count(*) FROM api_keys WHERE rolled_from = $1 AND key_hash IS NULL", old.ID); n != 1 {
		t.Fatalf("%d successors of the due key awaiting reveal, want 1", n)
	}
	for _, want := range []struct {
		typ  string
		key  uuid.UUID
		days int
	}{{webhooks.APIKeyRotated, old.ID, 1}, {webhooks.APIKeyExpiring, old.ID, 1}, {webhooks.APIKeyExpiring, expiring.ID, 4}} {
		if n := count(t, d, "SELECT count(*) FROM events WHERE type = $1 AND (payload::jsonb)->'data'->>'key_id' = $2 AND ((payload::jsonb)->'data'->>'days_left')::int = $3",
			want.typ, want.key.String(), want.days); n != 1 {
			t.Errorf("%d %s events of key %s with %d days left, want 1", n, want.typ, want.key, want.days)
		}
	}
	if n := count(t, d, "SELECT count(*) FROM events WHERE payload ~ 'mv_(live|test)_[A-Za-z0-9_-]{43}'"); n != 0 {
		t.Error("an event carries a key's secret")
	}
	if n := count(t, d, "SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND args->>'to' = 'ann@rotating.test' AND args->>'subject' LIKE '%rotated'"); n != 1 {
		t.Errorf("%d rotation mails, want 1", n)
	}
	if n := count(t, d, "SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND args->>'to' = 'bob@plain.test' AND args->>'subject' LIKE '%expires in 7 days'"); n != 1 {
		t.Errorf("%d 7-day notices, want 1", n)
	}

	c.advance(25 * time.Hour) // the rotated key's grace is over
	sweep()
	if n := count(t, d, "SELECT count(*) FROM events WHERE type = $1 AND (payload::jsonb)->'data'->>'key_id' = $2", webhooks.APIKeyExpired, old.ID.String()); n != 1 {
		t.Errorf("%d api_key.expired events, want 1", n)
	}
	if n := count(t, d, "SELECT count(*) FROM audit_events WHERE action IN ('api_key.rotated', 'api_key.expired') AND target_id = $1", old.ID.String()); n != 2 {
		t.Errorf("%d rotation and expiry audit events, want 2", n)
	}
	if n := count(t, d, "SELECT count(*) FROM events WHERE (payload::jsonb)->'data'->>'key_id' = $1", expiring.ID.String()); n != 1 {
		t.Errorf("the key 3 days from its expiry has %d events, want its one 7-day notice", n)
	}
	if n := count(t, d, "SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND args->>'to' = 'ann@rotating.test' AND args->>'subject' LIKE 'API key %'"); n != 3 {
		t.Errorf("%d mails to the rotating tenant's owner, want 3 (rotated, 1 day left, expired)", n)
	}
}

func exec(t *testing.T, d *db.DB, query string, args ...any) {
	t.Helper()
	if err := d.Tx(context.Background(), db.System("test: set up rows"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.Tx.Tx.ExecContext(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Tx(context.Background(), db.System("test: count rows of every tenant"), func(ctx context.Context, tx db.Tx) error {
		return tx.Tx.Tx.QueryRowContext(ctx, query, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond (in a system transaction) until it holds, for at
// most 30 s.
func waitFor(t *testing.T, d *db.DB, what string, cond func(tx db.Tx) bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ok := false
		_ = d.Tx(context.Background(), db.System("test: wait for a condition"), func(ctx context.Context, tx db.Tx) error {
			ok = cond(tx)
			return nil
		})
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30s, still waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
