// Package wiring is the one place the service's parts are built from the
// configuration: the database handle, the stores, the verification
// engine, the River clients and the HTTP server. The subcommands, the
// tests that start real processes and the benchmark command all build
// through it, so they run what production runs.
package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"mailvet/alerts"
	"mailvet/audit"
	"mailvet/billing"
	"mailvet/config"
	"mailvet/db"
	"mailvet/health"
	"mailvet/importjson"
	"mailvet/inbound"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/metrics"
	"mailvet/mxslots"
	"mailvet/perf"
	"mailvet/requestlog"
	"mailvet/rules"
	"mailvet/schedules"
	"mailvet/secretbox"
	"mailvet/tenants"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

// Services are the long-lived parts of one process.
type Services struct {
	Config config.Config
	Log    *slog.Logger
	DB     *db.DB
	Engine *verify.Verifier
	// Jobs only inserts jobs (stores queue work in their transactions);
	// Worker builds the client that runs them.
	Jobs          *jobs.Client
	Tenants       *tenants.Store
	Rules         *rules.Store
	Billing       *billing.Service
	Stripe        *billing.Stripe // keyless when billing is off
	Usage         *usage.Store
	Verifications *verifications.Service
	Lists         *lists.Store
	Schedules     *schedules.Service
	Webhooks      *webhooks.Service
	// Deliverer sends webhook deliveries, through the SSRF-guarded client.
	Deliverer *webhooks.Deliverer
	Inbound   *inbound.Service
	// RequestLogs reads the API request log; RequestLog, the writer that
	// fills it, is made by App (only a web process records requests).
	RequestLogs *requestlog.Store
	RequestLog  *requestlog.Writer
	// Import imports the old service's JSON files (mailvet import-json).
	Import *importjson.Importer
	Audit  *audit.Store
	// Health runs the dependency checks, for /health and the alert job:
	// one per process, so that its reuse of results holds for both.
	Health *health.Checker
	// SlowQueries logs and keeps the statements slower than
	// MAILVET_SLOW_QUERY (Open makes it; nil after Build alone).
	SlowQueries *perf.SlowLog
	// Alerts keeps and evaluates the platform's alert rules.
	Alerts *alerts.Service
	// Metrics is the process's Prometheus registry and instruments, which
	// the services report to (GET /metrics).
	Metrics *metrics.Metrics

	closers []func()
}

// Open connects to the database as the configured role (MAILVET_DB_ROLE),
// builds the engine and every store. Close releases them.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*Services, error) {
	d, err := OpenDB(ctx, cfg)
	if err != nil {
		return nil, err
	}
	// The engine keeps the per-MX cap with every process of this
	// database probing from the same address (MAILVET_PROBE_IDENTITY).
	slots := mxslots.New(d, cfg.ProbeIdentity, log)
	vc := EngineConfig(cfg)
	vc.Slots = slots
	engine, err := verify.New(vc)
	if err != nil {
		slots.Close()
		d.Close()
		return nil, err
	}
	s, err := Build(cfg, log, d, engine)
	if err != nil {
		engine.Close()
		slots.Close()
		d.Close()
		return nil, err
	}
	s.SlowQueries = perf.NewSlowLog(d, cfg.SlowQuery, log)
	d.ObserveQueries(s.SlowQueries)
	s.closers = []func(){engine.Close, slots.Close, func() { d.ObserveQueries(nil) }, s.SlowQueries.Close, d.Close}
	return s, nil
}

// OpenDB connects as the service runs: as MAILVET_DB_ROLE when it is set.
func OpenDB(ctx context.Context, cfg config.Config) (*db.DB, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxConns: int32(cfg.DBMaxConns), Role: cfg.DBRole})
	var pgErr *pgconn.PgError
	if cfg.DBRole != "" && errors.As(err, &pgErr) && pgErr.Code == "22023" {
		// SET ROLE to a role that does not exist.
		return nil, fmt.Errorf("%w (MAILVET_DB_ROLE=%s: `mailvet migrate` with MAILVET_DB_ROLE set creates the role and grants it the tables)", err, cfg.DBRole)
	}
	return d, err
}

// Build assembles the stores on an open database and engine, which stay
// the caller's to close (tests and the benchmark bring their own).
func Build(cfg config.Config, log *slog.Logger, d *db.DB, engine *verify.Verifier) (*Services, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	s := &Services{Config: cfg, Log: log, DB: d, Engine: engine, Jobs: inserter, Metrics: metrics.New()}
	s.Metrics.WatchEngine(engine.Stats)
	s.Metrics.WatchDB("mailvet", d.SQL)
	s.Metrics.WatchQueue(d)
	queue := mail.NewQueue(inserter)
	s.Tenants = tenants.NewStore(d, queue, cfg.BaseURL, tenants.Options{InviteTTL: cfg.InviteTTL})
	s.Rules = rules.NewStore(d)
	s.Billing = billing.NewService(d, queue, cfg.BillingGrace, s.Link)
	s.Stripe = billing.NewStripe(d, s.Billing, billing.StripeConfig{
		SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIBase: cfg.StripeAPIBase, Logger: log,
		Prices:        map[string]string{"basic": cfg.StripePriceBasic, "premium": cfg.StripePricePremium},
		MeteredPrices: map[string]string{"basic": cfg.StripeMeteredPriceBasic, "premium": cfg.StripeMeteredPricePremium},
	})
	ring, err := keyring(cfg, log)
	if err != nil {
		return nil, err
	}
	hooks := transport.NewClient(transport.Options{AllowCIDRs: cfg.WebhookAllowCIDRs, AllowHTTP: cfg.Env != "production"})
	s.Webhooks = webhooks.NewService(d, inserter, ring, hooks, queue, s.Link, webhooks.Options{RetrySchedule: cfg.WebhookRetrySchedule})
	s.Deliverer = webhooks.NewDeliverer(s.Webhooks, hooks).WithObserver(s.Metrics)
	s.Import = importjson.New(d, s.Webhooks)
	s.Billing.WithEvents(s.Webhooks)
	s.Tenants.WithEvents(s.Webhooks)
	s.Usage = usage.NewStore(d)
	s.Verifications = verifications.NewService(d, engine, s.Rules, cfg.VerifyTimeout).WithQuota(s.Billing).WithObserver(s.Metrics)
	s.Lists = lists.NewStore(d, inserter, lists.Options{
		MaxRows: cfg.ListMaxRows, RetryDelay: cfg.ListRetryDelay, MaxAttempts: cfg.ListMaxAttempts, BatchRows: cfg.ListBatchRows,
	}).WithQuota(s.Billing).WithEvents(s.Webhooks, s.Link)
	s.RequestLogs = requestlog.NewStore(d)
	s.Audit = audit.NewStore(d)
	s.Inbound = inbound.NewService(d, s.Webhooks, s.Verifications, s.Tenants, s.Rules, s.Billing, inbound.Options{})
	s.Schedules = schedules.NewService(schedules.Deps{DB: d, Jobs: inserter, Quota: s.Billing, Plans: s.Billing, Events: s.Webhooks,
		Mail: queue, Link: s.Link})
	s.Health = NewHealth(HealthParts{DB: d, Engine: engine, Stripe: s.Stripe, MailerURL: cfg.MailerURL, Settings: cfg.Health})
	s.Health.Observe(s.Metrics.HealthCheck) // /health and the alert job both run it
	s.Alerts = s.newAlerts(queue)
	return s, nil
}

// devKeyFile is where development keeps its made-up MAILVET_SECRET_KEY:
// under .data/, which git ignores.
const devKeyFile = ".data/secret.key"

// keyring is MAILVET_SECRET_KEY's key ring; in development without one it
// makes one in devKeyFile (config refuses production without it).
func keyring(cfg config.Config, log *slog.Logger) (*secretbox.Keyring, error) {
	ring := cfg.SecretKey
	if ring == "" {
		var created bool
		var err error
		if ring, created, err = secretbox.DevKeyring(devKeyFile); err != nil {
			return nil, fmt.Errorf("development secret key: %w", err)
		}
		if created {
			log.Warn("no MAILVET_SECRET_KEY: made a development key to seal webhook secrets", "file", devKeyFile)
		}
	}
	k, err := secretbox.ParseKeyring(ring)
	if err != nil {
		return nil, fmt.Errorf("MAILVET_SECRET_KEY: %w", err)
	}
	return k, nil
}

// Close releases what Open opened (nothing after Build).
func (s *Services) Close() {
	for _, c := range s.closers {
		c()
	}
}

// Link is an absolute URL to path on the service, for mails.
func (s *Services) Link(path string) string {
	return strings.TrimRight(s.Config.BaseURL.String(), "/") + path
}

// Defaults is the configuration with every setting at its default, for
// tests and the benchmark, which change the few they need.
func Defaults() config.Config {
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		panic(fmt.Sprintf("the default settings are invalid: %v", err)) // a bug in config
	}
	return cfg
}
