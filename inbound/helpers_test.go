package inbound_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/inbound"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/rules"
	"mailvet/secretbox"
	"mailvet/tenants"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/verify/mailsim"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

// env is the inbound service on a fresh database, over real verifications
// (the loopback mail world), a real quota and real webhooks whose River
// workers deliver to loopback receivers.
type env struct {
	d        *db.DB
	svc      *inbound.Service
	webhooks *webhooks.Service
	verifs   *verifications.Service
	tenants  *tenants.Store
	rules    *rules.Store
	quota    *billing.Service
	world    *mailsim.World
}

func setup(t *testing.T) env {
	t.Helper()
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "shop.test", Mailboxes: []string{"ann", "zed", "bob"}},
	}})
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
	client := transport.NewClient(transport.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowHTTP: true,
		Timeout: 2 * time.Second})
	base, _ := url.Parse("http://mailvet.test")
	ts := tenants.NewStore(d, mail.NewQueue(inserter), base, tenants.Options{})
	hooks := webhooks.NewService(d, inserter, ring, client, mail.NewQueue(inserter), func(p string) string { return "http://mailvet.test" + p },
		webhooks.Options{RetrySchedule: []time.Duration{20 * time.Millisecond}})
	w, err := jobs.NewClient(d, jobs.Deps{Tenants: ts, Mailer: discard{}, Webhooks: webhooks.NewDeliverer(hooks, client), WebhookSchedule: hooks},
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
	cfg := verify.DefaultConfig()
	cfg.DNSServer, cfg.SMTPPort = world.DNSAddr(), world.SMTPPort()
	cfg.DNSCanaries = nil // the default names real providers, unknown to the world
	engine, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)
	rs := rules.NewStore(d)
	quota := billing.NewService(d, nil, 0, func(p string) string { return p })
	verifs := verifications.NewService(d, engine, rs, 10*time.Second).WithQuota(quota)
	e := env{d: d, webhooks: hooks, verifs: verifs, tenants: ts, rules: rs, quota: quota, world: world}
	e.svc = e.service(verifs, inbound.Options{})
	return e
}

// service is an inbound service of e's over verifier.
func (e env) service(verifier inbound.Verifier, opts inbound.Options) *inbound.Service {
	return inbound.NewService(e.d, e.webhooks, verifier, e.tenants, e.rules, e.quota, opts)
}

type discard struct{}

func (discard) Send(context.Context, mail.Message) error { return nil }

// workspace is a tenant and its owner.
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

// endpoint makes an endpoint of w delivering to url (every event type).
func (e env) endpoint(t *testing.T, w workspace, url string) webhooks.Created {
	t.Helper()
	c, err := e.webhooks.Create(context.Background(), w.ID, webhooks.EndpointInput{URL: &url}, w.Owner)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// push is a push to endpoint signed with secret the Standard Webhooks
// way, with the given webhook-id, timestamp and body.
func push(t *testing.T, endpoint uuid.UUID, secret, id string, at time.Time, body string) inbound.Push {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, at, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(at.Unix(), 10))
	h.Set("webhook-signature", sig)
	return inbound.Push{EndpointID: endpoint, Header: h, Body: []byte(body)}
}

// count runs a count(*) query across tenants through the named system
// path: the tests' own view of what is stored.
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

// monthUsed is the tenant's quota counter this month.
func (e env) monthUsed(t *testing.T, tenantID uuid.UUID) int {
	t.Helper()
	q, err := e.quota.Usage(context.Background(), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	return q.MonthUsed
}

// nothingDone fails unless the tenant has no verification, no push row,
// no event and no charge.
func (e env) nothingDone(t *testing.T, tenantID uuid.UUID) {
	t.Helper()
	for _, table := range []string{"verifications", "inbound_requests", "events"} {
		if n := e.count(t, `SELECT count(*) FROM `+table+` WHERE tenant_id = ?`, tenantID); n != 0 {
			t.Errorf("%d rows in %s, want none", n, table)
		}
	}
	if n := e.monthUsed(t, tenantID); n != 0 {
		t.Errorf("month_used %d, want 0", n)
	}
}

// accepted decodes a 202 answer.
func accepted(t *testing.T, a inbound.Answer) inbound.Accepted {
	t.Helper()
	if a.Status != http.StatusAccepted {
		t.Fatalf("answer %d %s, want 202", a.Status, a.Body)
	}
	var acc inbound.Accepted
	if err := json.Unmarshal(a.Body, &acc); err != nil {
		t.Fatalf("answer %s: %v", a.Body, err)
	}
	return acc
}

// receiver is a loopback HTTP receiver that answers 204 and keeps every
// request.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []received
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body})
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// waitFor polls cond until it holds, failing after a generous limit.
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
