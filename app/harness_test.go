package app_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/alerts"
	"mailvet/app"
	"mailvet/audit"
	"mailvet/billing"
	"mailvet/config"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/health"
	"mailvet/inbound"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/mail/mailtest"
	"mailvet/perf"
	"mailvet/metrics"
	"mailvet/platform"
	"mailvet/requestlog"
	"mailvet/rules"
	"mailvet/schedules"
	"mailvet/secretbox"
	"mailvet/tenants"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/verify/mailsim"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
	"mailvet/wiring"
)

// harness runs the whole service in-process against a fresh database, real
// River workers and a loopback SMTP server.
type harness struct {
	t     testing.TB
	db    *db.DB
	sys   systemDB // the test's own statements, past the tenant guard
	dbURL string
	store *tenants.Store
	mail  *mailtest.Server
	srv   *httptest.Server
	world *mailsim.World
	bill  *billing.Service
	hooks *webhooks.Service
	logs  *requestlog.Writer // the API request log's writer
}

type harnessOptions struct {
	authRate       int
	maxBodyBytes   int64
	verifyTimeout  time.Duration
	uploadMaxBytes int64
	listMaxRows    int
	listRetryDelay time.Duration // wait before a greylisted list address is asked again; 400ms unless set
	stripeAPIBase  string        // set: billing on, against this stripe-mock (see billing_test.go)
	dnsCanaries    []string      // the engine's DNS canaries; shop.test (a domain of the world) unless set
	dnsServer      string        // the engine's resolver; the world's unless set
	// webhookRetries is the wait before each retry of a webhook delivery;
	// 20ms, 20ms (three attempts, quickly) unless set.
	webhookRetries []time.Duration
	noRequestLog   bool // the API request log off (the benchmark's baseline)
	// health tunes /health's optional checks (MAILVET_HEALTH_*); the
	// queue lag is 5m unless set. healthMailer replaces the mailer's URL
	// in its check (the harness's mail server otherwise).
	health       config.Health
	healthMailer string
}

// harnessSecretKey seals the harness's webhook secrets (MAILVET_SECRET_KEY).
const harnessSecretKey = "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// metricsToken is the harness's MAILVET_METRICS_TOKEN.
const metricsToken = "harness-metrics-token-0123456789"

func newHarness(t testing.TB, opts ...harnessOptions) *harness {
	t.Helper()
	var o harnessOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.authRate == 0 {
		o.authRate = 1000
	}
	if o.listRetryDelay == 0 {
		o.listRetryDelay = 400 * time.Millisecond
	}
	if len(o.webhookRetries) == 0 {
		o.webhookRetries = []time.Duration{20 * time.Millisecond, 20 * time.Millisecond}
	}
	ctx := context.Background()
	d, dbURL := dbtest.NewWithURL(t)
	mailSrv := mailtest.Start(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	ts := httptest.NewUnstartedServer(nil)
	base, _ := url.Parse("http://" + ts.Listener.Addr().String())

	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	store := tenants.NewStore(d, mail.NewQueue(inserter), base, tenants.Options{})
	sender, err := mail.NewSender(mailSrv.URL, "mailvet <no-reply@mailvet.test>", log)
	if err != nil {
		t.Fatal(err)
	}
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "shop.test", Mailboxes: []string{"ann", "bob"}},
		{Name: "catchall.test", CatchAll: true},
		{Name: "grey.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{Greylist: 300 * time.Millisecond}},
		{Name: "silent.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{Hostile: mailsim.Hostile{Mode: mailsim.HostileSilent, At: "RCPT"}}},
	}})
	vcfg := verify.DefaultConfig()
	vcfg.DNSServer, vcfg.SMTPPort = world.DNSAddr(), world.SMTPPort()
	vcfg.DNSCanaries = []string{"shop.test"} // the default names real providers, unknown to the world
	if o.dnsCanaries != nil {
		vcfg.DNSCanaries = o.dnsCanaries
	}
	if o.dnsServer != "" {
		vcfg.DNSServer = o.dnsServer
	}
	vcfg.ConnectTimeout, vcfg.CommandTimeout = 5*time.Second, 30*time.Second
	engine, err := verify.New(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)

	ruleStore := rules.NewStore(d)
	link := func(p string) string { return base.String() + p }
	billingSvc := billing.NewService(d, mail.NewQueue(inserter), 0, link)
	// Webhooks as wiring builds them, with loopback receivers let past the
	// SSRF guard over plain HTTP.
	ring, err := secretbox.ParseKeyring(harnessSecretKey)
	if err != nil {
		t.Fatal(err)
	}
	hookClient := transport.NewClient(transport.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowHTTP: true})
	hooks := webhooks.NewService(d, inserter, ring, hookClient, mail.NewQueue(inserter), link, webhooks.Options{RetrySchedule: o.webhookRetries,
		SuspendedRecheck: 100 * time.Millisecond})
	billingSvc.WithEvents(hooks)
	store.WithEvents(hooks)
	stripeBilling := newTestStripe(d, billingSvc, o.stripeAPIBase)
	// Metrics as wiring builds them, so that tests and the benchmarks pay
	// for what production does.
	meters := metrics.New()
	verifs := verifications.NewService(d, engine, ruleStore, o.verifyTimeout).WithQuota(billingSvc).WithObserver(meters)
	listStore := lists.NewStore(d, inserter, lists.Options{MaxRows: o.listMaxRows, RetryDelay: o.listRetryDelay, MaxAttempts: 3,
		SuspendedRecheck: 100 * time.Millisecond}).WithQuota(billingSvc).WithEvents(hooks, link)
	processor := lists.NewProcessor(listStore, engine, ruleStore, verifs, store.BatchPolicy)
	sched := schedules.NewService(schedules.Deps{DB: d, Jobs: inserter, Quota: billingSvc, Plans: billingSvc, Events: hooks,
		Mail: mail.NewQueue(inserter), Link: link})
	worker, err := jobs.NewClient(d, jobs.Deps{Tenants: store, Mailer: sender, Lists: processor, Stripe: stripeBilling,
		Webhooks: webhooks.NewDeliverer(hooks, hookClient), WebhookSchedule: hooks, Schedules: sched, Runs: schedules.NewRunner(sched, processor, 0)},
		jobs.Options{Work: true, Logger: log, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = worker.Stop(stopCtx)
	})

	// The request log as wiring builds it; closed (written out) before
	// the database goes.
	reqLogs := requestlog.NewWriter(d, requestlog.WriterOptions{Logger: log})
	t.Cleanup(func() { _ = reqLogs.Close(context.Background()) })
	deps := app.Deps{RequestLog: reqLogs}
	if o.noRequestLog {
		deps.RequestLog = nil
	}
	riverUI, err := jobs.NewUI(t.Context(), inserter, log)
	if err != nil {
		t.Fatal(err)
	}
	server, err := app.New(app.Deps{
		RequestLog: deps.RequestLog, RequestLogs: requestlog.NewStore(d),
		Log: log, DB: d, Tenants: store, JobsWork: true, BaseURL: base, Rules: ruleStore,
		Verifications: verifs, Lists: listStore, UploadMaxBytes: o.uploadMaxBytes, Billing: billingSvc, Stripe: stripeBilling,
		AuthRatePerMin: o.authRate, MaxBodyBytes: o.maxBodyBytes, Usage: usage.NewStore(d), MetricsToken: metricsToken,
		Health: newTestHealth(d, engine, stripeBilling, mailSrv.URL, o), Webhooks: hooks, Audit: audit.NewStore(d), Inbound: inbound.NewService(d, hooks, verifs, store, ruleStore, billingSvc, inbound.Options{}),
		Platform: platform.NewService(d), RiverUI: riverUI,
		Schedules: sched, Observer: meters,
		Perf:      perf.NewService(d), SlowQuery: 200 * time.Millisecond,
		Alerts: alerts.NewService(alerts.Deps{DB: d, Mail: mail.NewQueue(inserter)}),
	})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = server.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &harness{t: t, db: d, sys: systemDB{d}, dbURL: dbURL, store: store, mail: mailSrv, srv: ts, world: world, bill: billingSvc, hooks: hooks, logs: reqLogs}
}

// newTestHealth builds /health's checks as wiring does, on the harness's
// parts and o's settings.
func newTestHealth(d *db.DB, engine *verify.Verifier, stripe *billing.Stripe, mailerURL string, o harnessOptions) *health.Checker {
	settings := o.health
	if settings.QueueLag == 0 {
		settings.QueueLag = 5 * time.Minute
	}
	if o.healthMailer != "" {
		mailerURL = o.healthMailer
	}
	return wiring.NewHealth(wiring.HealthParts{DB: d, Engine: engine, Stripe: stripe, MailerURL: mailerURL, Settings: settings})
}

// flushLogs writes every API request answered so far to the request log.
func (h *harness) flushLogs() {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.logs.Flush(ctx); err != nil {
		h.t.Fatal(err)
	}
}

// systemDB runs a test's own statements (seeding, inspecting) on the
// system path: the service's role sees other tenants' rows only there.
// It has the shape of the pgx pool's Exec and QueryRow, with $n
// placeholders.
type systemDB struct{ d *db.DB }

func (s systemDB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.d.Tx(ctx, db.System("test: seed or inspect"), func(ctx context.Context, tx db.Tx) error {
		var err error
		res, err = tx.Tx.Tx.ExecContext(ctx, query, args...)
		return err
	})
	return res, err
}

func (s systemDB) QueryRow(ctx context.Context, query string, args ...any) systemRow {
	return systemRow{s: s, ctx: ctx, query: query, args: args}
}

type systemRow struct {
	s     systemDB
	ctx   context.Context
	query string
	args  []any
}

func (r systemRow) Scan(dest ...any) error {
	return r.s.d.Tx(r.ctx, db.System("test: inspect"), func(ctx context.Context, tx db.Tx) error {
		return tx.Tx.Tx.QueryRowContext(ctx, r.query, r.args...).Scan(dest...)
	})
}

// owner connects to the harness's database as its owner (the login),
// for the tests that break it on purpose (drop a table, refuse
// connections).
func (h *harness) owner() *pgx.Conn {
	h.t.Helper()
	c, err := pgx.Connect(context.Background(), h.dbURL)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see each response.
type browser struct {
	h      *harness
	client *http.Client
}

func (h *harness) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{h: h, client: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}}
}

type response struct {
	*http.Response
	body string
}

func (b *browser) do(req *http.Request) response {
	b.h.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.h.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return response{res, string(body)}
}

func (b *browser) get(path string) response {
	b.h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.h.srv.URL+path, nil)
	return b.do(req)
}

// post submits a form; headers are pairs of name, value.
func (b *browser) post(path string, form url.Values, headers ...string) response {
	b.h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.h.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}

func expect(t testing.TB, res response, status int, contains ...string) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, status, abbreviate(res.body))
	}
	for _, c := range contains {
		if !strings.Contains(res.body, c) {
			t.Fatalf("%s %s: body lacks %q\n%s", res.Request.Method, res.Request.URL.Path, c, abbreviate(res.body))
		}
	}
}

func expectRedirect(t testing.TB, res response, to string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("%s %s: %d to %q, want 303 to %q\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, res.Header.Get("Location"), to, abbreviate(res.body))
	}
}

func abbreviate(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

const password = "correct horse battery"

var linkPath = regexp.MustCompile(`http://[^/\s]+(/\S+)`)

// mailedLink waits for a mail to `to` and returns the path of its link.
func (h *harness) mailedLink(to, subject string) string {
	h.t.Helper()
	m := h.mail.WaitFor(h.t, to, subject, 15*time.Second)
	found := linkPath.FindStringSubmatch(m.Body)
	if found == nil {
		h.t.Fatalf("no link in mail to %s:\n%s", to, m.Body)
	}
	return found[1]
}

// signUp registers a company through the page and verifies the owner's
// address; the browser stays signed in.
func (h *harness) signUp(company, email string) *browser {
	h.t.Helper()
	b := h.browser()
	res := b.post("/signup", url.Values{"company": {company}, "name": {"Owner of " + company}, "email": {email}, "password": {password}})
	expectRedirect(h.t, res, "/dashboard")
	expect(h.t, b.get(h.mailedLink(email, "Verify")), http.StatusOK, "verified")
	return b
}

func sleep(ms int) { time.Sleep(time.Duration(ms) * time.Millisecond) }
