package lists_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/rules"
	"mailvet/tenants"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/verify/mailsim"
)

type env struct {
	d       *db.DB
	store   *lists.Store
	tenants *tenants.Store
	verifs  *verifications.Service
	rules   *rules.Store
	engine  *verify.Verifier
	world   *mailsim.World
	start   func(listWorkers int)
}

func setup(t *testing.T, world *mailsim.World, opts lists.Options) env {
	t.Helper()
	d := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://mailvet.test")
	ts := tenants.NewStore(d, mail.NewQueue(inserter), base, tenants.Options{})
	store := lists.NewStore(d, inserter, opts)
	cfg := verify.DefaultConfig()
	cfg.DNSServer, cfg.SMTPPort = world.DNSAddr(), world.SMTPPort()
	cfg.DNSCanaries = nil // the default names real providers, unknown to the world
	engine, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)
	rs := rules.NewStore(d)
	verifs := verifications.NewService(d, engine, rs, time.Minute)
	e := env{d: d, store: store, tenants: ts, verifs: verifs, rules: rs, engine: engine, world: world}
	e.start = func(listWorkers int) {
		proc := lists.NewProcessor(store, engine, rs, verifs, ts.BatchPolicy)
		w, err := jobs.NewClient(d, jobs.Deps{Tenants: ts, Mailer: discard{}, Lists: proc},
			jobs.Options{Work: true, Logger: log, ListWorkers: listWorkers, FetchPollInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = w.Stop(ctx)
		})
	}
	return e
}

type discard struct{}

func (discard) Send(context.Context, mail.Message) error { return nil }

// workspace is a tenant with its owner, who acts on its lists.
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

// key makes an API key of the workspace and returns it as an actor.
func (e env) key(t *testing.T, w workspace, testMode bool) actor.Actor {
	t.Helper()
	mode := tenants.ModeLive
	if testMode {
		mode = tenants.ModeTest
	}
	k, _, err := e.tenants.CreateAPIKey(context.Background(), w.ID, tenants.NewKeyInput{Name: "key " + string(mode), Mode: mode}, w.Owner)
	if err != nil {
		t.Fatal(err)
	}
	return k.Actor()
}

// member adds a user with role to the workspace and returns it as an actor.
func (e env) member(t *testing.T, w workspace, name string, role actor.Role) actor.Actor {
	t.Helper()
	ctx := context.Background()
	u, err := e.tenants.CreateUser(ctx, name+"@member.test", name, "correct horse battery", false, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	if err := e.d.Tx(ctx, db.System("test: add a member without an invitation"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, ?)`, w.ID, u.ID, string(role)).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return actor.User(u.ID, u.Email, role).In(w.ID)
}

// count runs a count(*) query across tenants and modes, through the named
// system path: the tests' own view of what is stored.
func (e env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.d.Tx(context.Background(), db.System("test: check stored rows"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(query, args...).Scan(ctx, &n)
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func (e env) wait(t *testing.T, tenantID, id uuid.UUID, by actor.Actor, cond func(lists.List) bool) lists.List {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		l, err := e.store.Get(context.Background(), tenantID, id, by)
		if err != nil {
			t.Fatal(err)
		}
		if cond(l) {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("list %s stuck: %+v", l.Name, l)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func done(l lists.List) bool { return l.Status == lists.StatusCompleted }

func emails(domain string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%d@%s", i, domain)
	}
	return out
}

// A tenant's big list does not starve another tenant's small one: with a
// single list worker, the small list finishes while the big one still runs.
func TestSmallListIsNotStarvedByABigOne(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "big.test", CatchAll: true, Server: mailsim.Host{Latency: 20 * time.Millisecond}},
		{Name: "small.test", CatchAll: true},
	}})
	e := setup(t, world, lists.Options{SmallList: 1000})
	a, b := e.workspace(t, "alpha"), e.workspace(t, "beta")
	ctx := context.Background()
	big, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "big", Emails: emails("big.test", 20000)})
	if err != nil {
		t.Fatal(err)
	}
	small, _, err := e.store.Create(ctx, lists.NewList{TenantID: b.ID, By: b.Owner, Name: "small", Emails: emails("small.test", 100)})
	if err != nil {
		t.Fatal(err)
	}
	e.start(1)
	e.wait(t, b.ID, small.ID, b.Owner, done)
	if l, _ := e.store.Get(ctx, a.ID, big.ID, a.Owner); l.Finished() || l.ProcessedRows == l.UniqueRows {
		t.Fatalf("the big list finished first: %+v", l)
	}
}

// Cancelling stops the work: rows not yet verified stay unverified and the
// jobs end; deleting a running list removes everything.
func TestCancelAndDeleteStopWork(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "slow.test", CatchAll: true, Server: mailsim.Host{Latency: 30 * time.Millisecond}}}})
	e := setup(t, world, lists.Options{})
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "long", Emails: emails("slow.test", 8000)})
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "to delete", Emails: emails("slow.test", 3000)})
	if err != nil {
		t.Fatal(err)
	}
	e.start(2)
	e.wait(t, a.ID, l.ID, a.Owner, func(l lists.List) bool { return l.ProcessedRows > 0 })
	if _, err := e.store.Cancel(ctx, a.ID, l.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Delete(ctx, a.ID, gone.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Cancel(ctx, a.ID, l.ID, a.Owner); err != lists.ErrFinished {
		t.Fatalf("second cancel: %v", err)
	}
	// Every batch job ends (completed without work) soon after.
	deadline := time.Now().Add(60 * time.Second)
	for {
		open := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'lists.verify_batch' AND state NOT IN ('completed', 'cancelled', 'discarded')`)
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d batch jobs still open after cancel/delete", open)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := e.store.Get(ctx, a.ID, l.ID, a.Owner)
	if got.Status != lists.StatusCancelled || got.ProcessedRows >= got.UniqueRows {
		t.Fatalf("cancelled list %+v", got)
	}
	if rows := e.count(t, `SELECT count(*) FROM list_rows WHERE list_id = ?`, gone.ID); rows != 0 {
		t.Fatalf("deleted list left %d rows", rows)
	}
}
