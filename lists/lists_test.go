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

	"mailvet/audit"
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
	ts := tenants.NewStore(d.Bun, mail.NewQueue(inserter), base, tenants.Options{})
	store := lists.NewStore(d, inserter, opts)
	cfg := verify.DefaultConfig()
	cfg.DNSServer, cfg.SMTPPort = world.DNSAddr(), world.SMTPPort()
	engine, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)
	rs := rules.NewStore(d.Bun)
	verifs := verifications.NewService(d.Bun, engine, rs, time.Minute)
	e := env{d: d, store: store, tenants: ts, world: world}
	e.start = func(listWorkers int) {
		proc := lists.NewProcessor(store, engine, rs, verifs, ts.CacheTTL)
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

func (e env) tenant(t *testing.T, name string) uuid.UUID {
	t.Helper()
	u, err := e.tenants.CreateUser(context.Background(), name+"@owner.test", name, "correct horse battery", false)
	if err != nil {
		t.Fatal(err)
	}
	tn, err := e.tenants.CreateTenant(context.Background(), name, u.ID, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

func (e env) wait(t *testing.T, tenantID, id uuid.UUID, cond func(lists.List) bool) lists.List {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		l, err := e.store.Get(context.Background(), tenantID, id)
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
	a, b := e.tenant(t, "alpha"), e.tenant(t, "beta")
	ctx := context.Background()
	big, _, err := e.store.Create(ctx, lists.NewList{TenantID: a, Name: "big", Emails: emails("big.test", 20000)})
	if err != nil {
		t.Fatal(err)
	}
	small, _, err := e.store.Create(ctx, lists.NewList{TenantID: b, Name: "small", Emails: emails("small.test", 100)})
	if err != nil {
		t.Fatal(err)
	}
	e.start(1)
	e.wait(t, b, small.ID, func(l lists.List) bool { return l.Status == lists.StatusCompleted })
	if l, _ := e.store.Get(ctx, a, big.ID); l.Finished() || l.ProcessedRows == l.UniqueRows {
		t.Fatalf("the big list finished first: %+v", l)
	}
}

// Cancelling stops the work: rows not yet verified stay unverified and the
// jobs end; deleting a running list removes everything.
func TestCancelAndDeleteStopWork(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "slow.test", CatchAll: true, Server: mailsim.Host{Latency: 30 * time.Millisecond}}}})
	e := setup(t, world, lists.Options{})
	a := e.tenant(t, "alpha")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a, Name: "long", Emails: emails("slow.test", 8000)})
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := e.store.Create(ctx, lists.NewList{TenantID: a, Name: "to delete", Emails: emails("slow.test", 3000)})
	if err != nil {
		t.Fatal(err)
	}
	e.start(2)
	e.wait(t, a, l.ID, func(l lists.List) bool { return l.ProcessedRows > 0 })
	if _, err := e.store.Cancel(ctx, a, l.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Delete(ctx, a, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Cancel(ctx, a, l.ID); err != lists.ErrFinished {
		t.Fatalf("second cancel: %v", err)
	}
	// Every batch job ends (completed without work) soon after.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var open int
		if err := e.d.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'lists.verify_batch' AND state NOT IN ('completed', 'cancelled', 'discarded')`).Scan(&open); err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d batch jobs still open after cancel/delete", open)
		}
		time.Sleep(50 * time.Millisecond)
	}
	got, _ := e.store.Get(ctx, a, l.ID)
	if got.Status != lists.StatusCancelled || got.ProcessedRows >= got.UniqueRows {
		t.Fatalf("cancelled list %+v", got)
	}
	var rows int
	if err := e.d.Pool.QueryRow(ctx, `SELECT count(*) FROM list_rows WHERE list_id = $1`, gone.ID).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("deleted list left %d rows (%v)", rows, err)
	}
}

// Tenant B can neither read, list, cancel, delete nor export A's list.
func TestStoreIsolation(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{})
	e := setup(t, world, lists.Options{})
	a, b := e.tenant(t, "alpha"), e.tenant(t, "beta")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a, Name: "a", Emails: []string{"x@y.test", "x@y.test", "bad"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Get(ctx, b, l.ID); err != lists.ErrNotFound {
		t.Errorf("get: %v", err)
	}
	if p, _ := e.store.ListAll(ctx, b, "", 10); len(p.Lists) != 0 {
		t.Errorf("B lists %d", len(p.Lists))
	}
	if _, err := e.store.Cancel(ctx, b, l.ID); err != lists.ErrNotFound {
		t.Errorf("cancel: %v", err)
	}
	if err := e.store.Delete(ctx, b, l.ID); err != lists.ErrNotFound {
		t.Errorf("delete: %v", err)
	}
	if err := e.store.Export(ctx, b, l.ID, "", io.Discard); err != lists.ErrNotFound {
		t.Errorf("export: %v", err)
	}
	for _, state := range []string{"duplicate", "skipped"} {
		if err := e.store.ExportRows(ctx, b, l.ID, state, io.Discard); err != lists.ErrNotFound {
			t.Errorf("export %s: %v", state, err)
		}
	}
	if _, err := e.store.Results(ctx, b, l.ID, "", "", "", 10); err != lists.ErrNotFound {
		t.Errorf("results: %v", err)
	}
	if got, err := e.store.Get(ctx, a, l.ID); err != nil || got.Status == lists.StatusCancelled {
		t.Fatalf("A's list changed: %+v %v", got, err)
	}
}
