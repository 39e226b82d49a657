package schedules_test

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

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/rules"
	"mailvet/schedules"
	"mailvet/secretbox"
	"mailvet/tenants"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/verify/mailsim"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

// clock is the time the tick reads: the tests move it to make periods
// come, instead of waiting for them.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is the service as wiring builds it, on a fresh database and a
// loopback mail world; start adds a worker process (a River client).
type env struct {
	d       *db.DB
	lists   *lists.Store
	sched   *schedules.Service
	tenants *tenants.Store
	billing *billing.Service
	hooks   *webhooks.Service
	rules   *rules.Store
	world   *mailsim.World
	clock   *clock
	// start adds a worker process (its batches and runs cut at
	// batchTimeout, when given); the function it returns stops it.
	start func(batchTimeout ...time.Duration) (stop func())
}

func setup(t *testing.T, world *mailsim.World) env {
	t.Helper()
	d := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://mailvet.test")
	link := func(p string) string { return base.String() + p }
	queue := mail.NewQueue(inserter)
	ts := tenants.NewStore(d, queue, base, tenants.Options{})
	bill := billing.NewService(d, queue, 0, link)
	ring, err := secretbox.ParseKeyring("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	hooks := webhooks.NewService(d, inserter, ring, transport.NewClient(transport.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}),
		queue, link, webhooks.Options{})
	bill.WithEvents(hooks)
	store := lists.NewStore(d, inserter, lists.Options{RetryDelay: 200 * time.Millisecond}).WithQuota(bill).WithEvents(hooks, link)
	cfg := verify.DefaultConfig()
	cfg.DNSServer, cfg.SMTPPort = world.DNSAddr(), world.SMTPPort()
	cfg.DNSCanaries = nil
	engine, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)
	rs := rules.NewStore(d)
	verifs := verifications.NewService(d, engine, rs, time.Minute)
	c := &clock{t: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
	sched := schedules.NewService(schedules.Deps{DB: d, Jobs: inserter, Quota: bill, Plans: bill, Events: hooks, Mail: queue, Link: link, Now: c.now})
	e := env{d: d, lists: store, sched: sched, tenants: ts, billing: bill, hooks: hooks, rules: rs, world: world, clock: c}
	e.start = func(batchTimeout ...time.Duration) func() {
		timeout := time.Duration(0)
		if len(batchTimeout) > 0 {
			timeout = batchTimeout[0]
		}
		proc := lists.NewProcessor(store, engine, rs, verifs, ts.BatchPolicy)
		w, err := jobs.NewClient(d, jobs.Deps{Tenants: ts, Mailer: discard{}, Lists: proc, Schedules: sched, Runs: schedules.NewRunner(sched, proc, 3)},
			jobs.Options{Work: true, Logger: log, FetchPollInterval: 100 * time.Millisecond, ScheduleTickEvery: 50 * time.Millisecond, BatchTimeout: timeout})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		stop := func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = w.Stop(ctx)
		}
		t.Cleanup(stop)
		return stop
	}
	return e
}

type discard struct{}

func (discard) Send(context.Context, mail.Message) error { return nil }

type workspace struct {
	ID    uuid.UUID
	Owner actor.Actor
}

func (e env) workspace(t *testing.T, name string) workspace {
	t.Helper()
	ctx := context.Background()
	u, err := e.tenants.CreateUser(ctx, name+"@owner.test", name, "correct horse battery", false, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	tn, err := e.tenants.CreateTenant(ctx, name, u.ID, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	return workspace{ID: tn.ID, Owner: actor.User(u.ID, u.Email, actor.RoleOwner).In(tn.ID)}
}

// member adds a user with role to the workspace.
func (e env) member(t *testing.T, w workspace, name string, role actor.Role) actor.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := e.tenants.CreateUser(ctx, name+"@member.test", name, "correct horse battery", false, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	e.exec(t, `INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, ?)`, w.ID, u.ID, string(role))
	return actor.User(u.ID, u.Email, role).In(w.ID)
}

// exec and count are the test's own statements, through the system path.
func (e env) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if err := e.d.Tx(context.Background(), db.System("test: seed"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func (e env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.Tx(context.Background(), db.System("test: inspect"), func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, query, args...).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// list uploads emails and waits until the list is verified.
func (e env) list(t *testing.T, w workspace, name string, emails ...string) lists.List {
	t.Helper()
	l, _, err := e.lists.Create(context.Background(), lists.NewList{TenantID: w.ID, By: w.Owner, Name: name, Emails: emails})
	if err != nil {
		t.Fatal(err)
	}
	var got lists.List
	eventually(t, "the list verified", func() bool {
		got, err = e.lists.Get(context.Background(), w.ID, l.ID, w.Owner)
		return err == nil && got.Status == lists.StatusCompleted
	})
	return got
}

// eventually waits for cond, checking every 20 ms, for at most a minute.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitRun waits until a run is finished and returns it.
func (e env) waitRun(t *testing.T, w workspace, listID, runID uuid.UUID) schedules.Run {
	t.Helper()
	var r schedules.Run
	eventually(t, "the run finished", func() bool {
		var err error
		r, err = e.sched.GetRun(context.Background(), w.ID, listID, runID, w.Owner)
		return err == nil && r.Finished()
	})
	return r
}
