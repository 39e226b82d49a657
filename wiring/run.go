package wiring

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"mailvet/app"
	"mailvet/config"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/perf"
	"mailvet/platform"
	"mailvet/requestlog"
	"mailvet/schedules"
)

// Logger writes the service's structured log to w in the configured
// format and level.
func Logger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Mailer is the configured outgoing mail sender (the log when no mail
// server is set).
func (s *Services) Mailer() (mail.Sender, error) {
	return mail.NewSender(s.Config.MailerURL, s.Config.MailerFrom, s.Log)
}

// Processor is the list batch processor on the services' engine, rules
// and result cache.
func (s *Services) Processor() *lists.Processor {
	return lists.NewProcessor(s.Lists, s.Engine, s.Rules, s.Verifications, s.Tenants.BatchPolicy).WithObserver(s.Metrics)
}

// Worker builds the River client that runs jobs in this process, sending
// mail through mailer and verifying list batches with p (Processor(),
// unless the caller measures one of its own). Start it to work.
func (s *Services) Worker(mailer mail.Sender, p *lists.Processor) (*jobs.Client, error) {
	var runs *schedules.Runner
	if p != nil {
		runs = schedules.NewRunner(s.Schedules, p, 0).WithObserver(s.Metrics)
	}
	return jobs.NewClient(s.DB, jobs.Deps{Tenants: s.Tenants, Mailer: mailer, Lists: p, Stripe: s.Stripe, Webhooks: s.Deliverer,
		WebhookSchedule: s.Webhooks, Inbound: s.Inbound, RequestLogs: s.RequestLogs, RequestLogRetention: s.Config.RequestLogRetention,
		Schedules: s.Schedules, Runs: runs, Audit: s.Audit, AuditRetention: s.Config.AuditRetention, Alerts: s.Alerts,
		Backup: s.scheduledBackup()}, jobs.Options{
		Work: true, MaxWorkers: s.Config.Workers, ListWorkers: s.Config.ListWorkers,
		BatchTimeout: s.Config.ListBatchTimeout, Logger: s.Log,
	})
}

// App builds the HTTP server; jobsWork says whether this process also
// runs workers (health reports it). ctx bounds the River UI's background
// work. It starts the API request log's writer (s.RequestLog), which the
// caller closes after the server has stopped, so that the last requests
// are written.
func (s *Services) App(ctx context.Context, jobsWork bool) (*app.Server, error) {
	cfg := s.Config
	riverUI, err := s.RiverUI(ctx)
	if err != nil {
		return nil, err
	}
	if s.RequestLog == nil {
		s.RequestLog = requestlog.NewWriter(s.DB, requestlog.WriterOptions{Buffer: cfg.RequestLogBuffer, Logger: s.Log})
		s.Metrics.WatchRequestLog(s.RequestLog.Drops)
	}
	return app.New(app.Deps{
		RiverUI: riverUI, Platform: platform.NewService(s.DB),
		RequestLog: s.RequestLog, RequestLogs: s.RequestLogs,
		Log: s.Log, DB: s.DB, Tenants: s.Tenants, JobsWork: jobsWork, Rules: s.Rules,
		Verifications: s.Verifications, Lists: s.Lists, Billing: s.Billing, Stripe: s.Stripe, Usage: s.Usage, Webhooks: s.Webhooks, Inbound: s.Inbound, Audit: s.Audit,
		Schedules: s.Schedules,
		BaseURL:   cfg.BaseURL, SessionTTL: cfg.SessionTTL, MaxBodyBytes: cfg.MaxBodyBytes, UploadMaxBytes: cfg.UploadMaxBytes,
		AuthRatePerMin: cfg.AuthRatePerMin, TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken,
		Health: s.Health, SMTPMaxConnsPerHost: cfg.SMTPMaxConnsPerHost,
		Perf: perf.NewService(s.DB), SlowQuery: cfg.SlowQuery, Alerts: s.Alerts,
		Metrics: s.MetricsOnMainPort(), Observer: s.Metrics,
	})
}

// MetricsHandler is GET /metrics, to MAILVET_METRICS_TOKEN only when it
// is set.
func (s *Services) MetricsHandler() http.Handler {
	return s.Metrics.Handler(s.Config.MetricsToken)
}

// MetricsOnMainPort is /metrics for the main port: only behind the token,
// and only when no listener of its own (MAILVET_METRICS_ADDR) serves it;
// nil otherwise, so that /metrics is never public by default.
func (s *Services) MetricsOnMainPort() http.Handler {
	if s.Config.MetricsAddr != "" || s.Config.MetricsToken == "" {
		return nil
	}
	return s.MetricsHandler()
}

// RiverUI is River's UI over this database's jobs (jobs.NewUI).
func (s *Services) RiverUI(ctx context.Context) (http.Handler, error) {
	return jobs.NewUI(ctx, s.Jobs, s.Log)
}
