package wiring

import (
	"context"
	"time"

	"mailvet/billing"
	"mailvet/config"
	"mailvet/db"
	"mailvet/health"
	"mailvet/mail"
	"mailvet/verify"
)

// HealthParts are what the health checks ask.
type HealthParts struct {
	DB        *db.DB
	Engine    *verify.Verifier
	Stripe    *billing.Stripe // nil or keyless: billing off
	MailerURL string          // empty: mails go to the log
	Settings  config.Health
}

// How long a result of an outside service stands: load balancers ask
// /health every few seconds, and an MX host seeing a connection that
// often without mail may blocklist us; Stripe and the mail relay need no
// such attention either.
const (
	reuseEgress  = time.Minute
	reuseOutside = 30 * time.Second
	reuseDNS     = 10 * time.Second
)

// NewHealth builds the health checks: database and migrations required,
// the rest optional (see package health).
func NewHealth(p HealthParts) *health.Checker {
	egress := health.Check{Name: "smtp_egress", Reuse: reuseEgress, Unconfigured: "MAILVET_HEALTH_PROBE_MX is not set"}
	if mx := p.Settings.ProbeMX; mx != "" {
		egress.Probe = func(ctx context.Context) (string, error) { return p.Engine.CheckEgress(ctx, mx) }
	}
	mailer := health.Check{Name: "mailer", Reuse: reuseOutside, Unconfigured: "MAILVET_MAILER_URL is not set: mails go to the log"}
	if url := p.MailerURL; url != "" {
		mailer.Probe = func(ctx context.Context) (string, error) { return mail.CheckServer(ctx, url) }
	}
	stripe := health.Check{Name: "stripe", Reuse: reuseOutside, Unconfigured: "billing is off (no STRIPE_SECRET_KEY)"}
	if p.Stripe.Enabled() {
		stripe.Probe = p.Stripe.Check
	}
	disk := health.Check{Name: "disk", Unconfigured: "MAILVET_HEALTH_DISK_DIR is not set (uploads stream into PostgreSQL, no spool)"}
	if dir := p.Settings.DiskDir; dir != "" {
		disk.Probe = health.DiskFree(dir, uint64(p.Settings.DiskMinFree))
	}
	return health.New(
		health.Check{Name: "database", Required: true, Probe: health.Database(p.DB)},
		health.Check{Name: "migrations", Required: true, Probe: health.Migrations(p.DB)},
		health.Check{Name: "river", Probe: health.River(p.DB, p.Settings.QueueLag)},
		health.Check{Name: "dns", Reuse: reuseDNS, Probe: p.Engine.CheckResolver},
		egress, mailer, stripe, disk,
	)
}
