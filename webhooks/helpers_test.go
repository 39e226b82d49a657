package webhooks_test

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

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

// env is the webhooks on a fresh database with real River workers
// delivering to loopback receivers (allowed past the SSRF guard).
type env struct {
	d       *db.DB
	svc     *webhooks.Service
	tenants *tenants.Store
}

func setup(t testing.TB, schedule ...time.Duration) env {
	t.Helper()
	return build(t, buildOptions{schedule: schedule})
}

// buildOptions tune build.
type buildOptions struct {
	// noWorkers: events are recorded and their jobs queued, but nothing
	// delivers them.
	noWorkers bool
	schedule  []time.Duration // zero: two retries 20 ms apart
	timeout   time.Duration   // an attempt's; zero: 2 s
	// guarded: loopback is not allowed for everyone, only to tenants a
	// platform admin allows it (tenants.OperatorSettings).
	guarded bool
}

// build is setup with options.
func build(t testing.TB, o buildOptions) env {
	t.Helper()
	schedule, timeout := o.schedule, cmp.Or(o.timeout, 2*time.Second)
	d := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := secretbox.ParseKeyring("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	allowed := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	if o.guarded {
		allowed = nil
	}
	client := transport.NewClient(transport.Options{AllowCIDRs: allowed, AllowHTTP: true, Timeout: timeout})
	if len(schedule) == 0 {
		schedule = []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}
	}
	base, _ := url.Parse("http://mailvet.test")
	ts := tenants.NewStore(d, mail.NewQueue(inserter), base, tenants.Options{})
	svc := webhooks.NewService(d, inserter, ring, client, mail.NewQueue(inserter), func(p string) string { return "http://mailvet.test" + p },
		webhooks.Options{RetrySchedule: schedule})
	e := env{d: d, svc: svc, tenants: ts}
	if o.noWorkers {
		return e
	}
	w, err := jobs.NewClient(d, jobs.Deps{Tenants: ts, Mailer: discard{}, Webhooks: webhooks.NewDeliverer(svc, client), WebhookSchedule: svc},
		jobs.Options{Work: true, Logger: log, FetchPollInterval: 100 * time.Millisecond})
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
	return e
}

type discard struct{}

func (discard) Send(context.Context, mail.Message) error { return nil }

// workspace is a tenant and its owner.
type workspace struct {
	ID    uuid.UUID
	Owner actor.Actor
}

func (e env) workspace(t testing.TB, name string) workspace {
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

// endpoint makes an endpoint of w to url for the given types (none: all).
func (e env) endpoint(t testing.TB, w workspace, url string, types ...string) webhooks.Created {
	t.Helper()
	in := webhooks.EndpointInput{URL: &url}
	if len(types) > 0 {
		in.Events = &types
	}
	c, err := e.svc.Create(context.Background(), w.ID, in, w.Owner)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// record records an event of w's in a transaction of its own.
func (e env) record(t testing.TB, w workspace, eventType string, data any) webhooks.Event {
	t.Helper()
	var ev webhooks.Event
	err := e.d.Tx(context.Background(), db.Tenant(w.ID), func(ctx context.Context, tx db.Tx) error {
		var err error
		ev, err = e.svc.Record(ctx, tx, w.ID, eventType, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// receiver is a loopback HTTP receiver that answers with respond and keeps
// every request.
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []received
	respond func(n int, w http.ResponseWriter)
}

type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

func newReceiver(t testing.TB, respond func(n int, w http.ResponseWriter)) *receiver {
	r := &receiver{respond: respond}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, at: time.Now()})
		n := len(r.got)
		respond := r.respond
		r.mu.Unlock()
		respond(n, w)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) setRespond(f func(n int, w http.ResponseWriter)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.respond = f
}

func status(code int) func(int, http.ResponseWriter) {
	return func(_ int, w http.ResponseWriter) { w.WriteHeader(code) }
}

// waitFor polls cond until it holds, failing after a generous limit (the
// race detector and a busy machine slow everything).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// delivery returns the state and attempts of the only delivery of ev to
// endpoint.
func (e env) delivery(t *testing.T, w workspace, endpoint uuid.UUID, eventID string) webhooks.Delivery {
	t.Helper()
	ds, err := e.svc.Deliveries(context.Background(), w.ID, endpoint, webhooks.DeliveryFilter{}, w.Owner)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.EventID == eventID {
			return d
		}
	}
	return webhooks.Delivery{}
}
