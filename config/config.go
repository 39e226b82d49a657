// Package config reads the service's settings from the environment and
// validates each one, naming the setting and what is wrong with it.
package config

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strings"
	"time"
	"unicode"
)

// Config is every setting the service reads. Settings lists them with their
// documentation; Load fills a Config from an environment lookup.
type Config struct {
	DatabaseURL     string
	DBRole          string // SET ROLE on every connection; empty: the login's own
	Port            int
	BaseURL         *url.URL
	Env             string // development | production
	LogFormat       string // text | json
	LogLevel        string // debug | info | warn | error
	WebWorkers      bool
	Workers         int
	DBMaxConns      int
	MailerURL       string
	MailerFrom      string
	SentryDSN       string
	MaxBodyBytes    int64
	SessionTTL      time.Duration
	InviteTTL       time.Duration
	AuthRatePerMin  int
	ShutdownTimeout time.Duration
	// TrustedProxies: X-Forwarded-For hops from these are believed.
	TrustedProxies []netip.Prefix
	MetricsToken   string // shows /health's details to monitoring; guards /metrics
	// MetricsAddr, when set, is a listener of its own that serves only
	// /metrics (the main port then does not).
	MetricsAddr string
	// AuditRetention is how long audit events are kept.
	AuditRetention time.Duration

	// The verification engine.
	DNSServer string
	// DNSCanaries are domains that certainly exist; a resolver denying
	// them is lying (see verify.Config.DNSCanaries). Empty: no check.
	DNSCanaries         []string
	SMTPPort            int
	HeloName            string
	MailFrom            string
	SMTPProxy           string
	SMTPStartTLS        bool
	SMTPConnectTimeout  time.Duration
	SMTPCommandTimeout  time.Duration
	SMTPMaxConnsPerHost int
	// ProbeIdentity names the source address this process probes from:
	// every process of one database with the same identity keeps to one
	// MAILVET_SMTP_MAX_CONNS_PER_HOST together (mxslots).
	ProbeIdentity string
	VerifyTimeout time.Duration

	// Bulk lists.
	UploadMaxBytes   int64
	ListMaxRows      int
	ListRetryDelay   time.Duration
	ListMaxAttempts  int
	ListWorkers      int
	ListBatchTimeout time.Duration
	ListBatchRows    int
	BillingGrace     time.Duration

	// Stripe billing; off without StripeSecretKey.
	StripeSecretKey           string
	StripeWebhookSecret       string
	StripePriceBasic          string
	StripePricePremium        string
	StripeMeteredPriceBasic   string
	StripeMeteredPricePremium string
	StripeAPIBase             string

	// Webhooks. SecretKey seals stored secrets (webhook signing secrets):
	// key ids and keys, the first the one new secrets are sealed with;
	// empty only in development (wiring then makes and keeps one).
	SecretKey            string
	WebhookAllowCIDRs    []netip.Prefix  // reachable despite the SSRF guard, any port
	WebhookRetrySchedule []time.Duration // the waits before each retry

	// The API request log: how long requests are kept (whole days; the
	// partition of a day goes when all of it is older) and how many may
	// wait in memory for their write before new ones are dropped.
	RequestLogRetention time.Duration
	RequestLogBuffer    int

	// Backups: `mailvet backup` and the scheduled one (config/backup.go).
	Backup Backup
	Health Health // /health's optional checks
	// Performance and alerts: a statement slower than SlowQuery is logged
	// and kept for the performance page; firing and resolved alerts are
	// posted to AlertWebhookURL (empty: mail only), signed with
	// AlertWebhookSecret (a whsec_ secret, required with the URL).
	SlowQuery          time.Duration
	AlertWebhookURL    string
	AlertWebhookSecret string
}

// DefaultWebhookRetrySchedule is Svix's: after the first attempt, 5 s,
// 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (eight attempts in all).
var DefaultWebhookRetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour,
	5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// Setting documents one environment variable.
type Setting struct {
	Name    string
	Default string
	Help    string
}

// Settings is the table `mailvet serve --help` and the README show.
func Settings() []Setting {
	return []Setting{
		{"DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mailvet?sslmode=disable", "PostgreSQL connection URL (system of record and River's queue)."},
		{"MAILVET_DB_ROLE", "(empty: the login's own role)", "Role every database connection SETs ROLE to. serve and work refuse a superuser or BYPASSRLS role (row-level security would not apply); `mailvet migrate` creates it when missing and grants it the tables."},
		{"PORT", "8080", "HTTP port for pages, API and health checks."},
		{"MAILVET_BASE_URL", "http://localhost:$PORT", "Public URL of the service; used in emailed links. https here makes cookies Secure."},
		{"MAILVET_ENV", "development", "development or production."},
		{"MAILVET_LOG_FORMAT", "text in development, json in production", "text or json."},
		{"MAILVET_LOG_LEVEL", "info", "debug, info, warn or error."},
		{"MAILVET_WEB_WORKERS", "true", "Also run background workers inside `mailvet serve` (set false when `mailvet work` runs separately)."},
		{"MAILVET_WORKERS", "10", "Concurrent River jobs per process (1-1000)."},
		{"MAILVET_DB_MAX_CONNS", "20", "Maximum PostgreSQL connections per process (2-500)."},
		{"MAILVET_MAILER_URL", "(empty: mails are written to the log)", "Outgoing mail server: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465."},
		{"MAILVET_MAILER_FROM", "mailvet <no-reply@localhost>", "From address of outgoing mail."},
		{"SENTRY_DSN", "(empty: off)", "Report errors and panics to Sentry."},
		{"MAILVET_MAX_BODY_BYTES", "1048576", "Largest accepted JSON or form body, in bytes."},
		{"MAILVET_SESSION_TTL", "336h", "How long a browser session lasts after sign-in."},
		{"MAILVET_INVITE_TTL", "168h", "How long an invitation link stays valid."},
		{"MAILVET_AUTH_RATE", "10", "Sign-in, sign-up and password-reset attempts per IP per minute (per process)."},
		{"MAILVET_AUDIT_RETENTION", "400d", "How long audit events are kept: days (400d) or a duration (9600h), at least 1d; older ones are deleted hourly."},
		{"MAILVET_SHUTDOWN_TIMEOUT", "20s", "Grace period for in-flight requests and jobs on SIGTERM."},
		{"MAILVET_TRUSTED_PROXIES", "(empty: X-Forwarded-For is ignored)", "Comma-separated CIDRs (or addresses) of your own proxies and load balancers; the client IP is the rightmost X-Forwarded-For hop not among them."},
		{"MAILVET_METRICS_TOKEN", "(empty: /health shows statuses only)", "Bearer token (16+ characters) with which monitoring reads /health's details (latencies, errors) and GET /metrics (Prometheus): with it and no MAILVET_METRICS_ADDR, /metrics is served on the main port to that token only."},
		{"MAILVET_METRICS_ADDR", "(empty: /metrics only on the main port, with MAILVET_METRICS_TOKEN; else not at all)", "Listen address (host:port or :port) of a separate listener that serves only GET /metrics, in serve and work alike; MAILVET_METRICS_TOKEN, when set, is required there too. The main port then serves no /metrics."},
		{"MAILVET_DNS_SERVER", "(the system's, from /etc/resolv.conf)", "host:port of the DNS resolver the engine asks."},
		{"MAILVET_DNS_CANARIES", DefaultDNSCanaries, "Comma-separated domains that certainly exist, asked about every minute: when the resolver denies them, its NXDOMAIN answers are unknown/dns_failure (not charged, not cached) and /health's dns check fails (degraded). `none` turns the check off."},
		{"MAILVET_SMTP_PORT", "25", "Port MX hosts are probed on."},
		{"MAILVET_HELO_NAME", "the host name of MAILVET_BASE_URL", "Name given in EHLO; should resolve to the probing IP."},
		{"MAILVET_MAIL_FROM", "verify@<HELO name>", "Envelope sender of probes (no mail is ever sent)."},
		{"MAILVET_SMTP_PROXY", "(empty: direct)", "socks5://host:port to probe through, for hosts whose port 25 is blocked."},
		{"MAILVET_SMTP_STARTTLS", "true", "Upgrade probe connections with STARTTLS when offered."},
		{"MAILVET_SMTP_CONNECT_TIMEOUT", "10s", "Dial plus greeting timeout per MX connection."},
		{"MAILVET_SMTP_COMMAND_TIMEOUT", "15s", "Timeout for one SMTP command's reply."},
		{"MAILVET_SMTP_MAX_CONNS_PER_HOST", "5", "Concurrent connections per MX host (1-50), held across every worker process of the database with the same MAILVET_PROBE_IDENTITY."},
		{"MAILVET_PROBE_IDENTITY", "shared", "The source address this process probes mail servers from, by name: processes with the same identity share the per-MX cap (leases in PostgreSQL). Give hosts with their own IP their own identity."},
		{"MAILVET_VERIFY_TIMEOUT", "20s", "Deadline of one API verification; past it the answer is unknown/timeout."},
		{"MAILVET_UPLOAD_MAX_BYTES", "104857600", "Largest list upload, in bytes (100 MB)."},
		{"MAILVET_LIST_MAX_ROWS", "1000000", "Most rows in one list."},
		{"MAILVET_LIST_RETRY_DELAY", "5m", "Wait before asking again about a greylisted or temporarily failing address in a list."},
		{"MAILVET_LIST_MAX_ATTEMPTS", "3", "Tries per list address before it is reported unknown."},
		{"MAILVET_LIST_WORKERS", "4", "List batches verified at once per worker process."},
		{"MAILVET_BILLING_GRACE", "168h", "How long a past-due subscription keeps its plan before the workspace falls back to free."},
		{"MAILVET_LIST_BATCH_TIMEOUT", "1m", "Longest run of one list batch (a longer one writes what it has and goes on at once); a batch whose worker died is taken back this plus half of it (at most 20 s) later, on River's next 30 s round."},
		{"MAILVET_LIST_BATCH_ROWS", "10000", "Rows in each batch of a list over 2,000 addresses after its first 1,000, a multiple of 100; set where lists are uploaded. Larger batches pipeline more addresses per SMTP connection, smaller ones spread a list over more workers and hold less of it in memory."},
		{"STRIPE_SECRET_KEY", "(empty: billing off, every workspace on the free plan)", "Stripe secret key (sk_… or restricted rk_…)."},
		{"STRIPE_WEBHOOK_SECRET", "(required with STRIPE_SECRET_KEY)", "Signing secret (whsec_…) of the Stripe webhook endpoint pointing at /stripe/webhook."},
		{"MAILVET_STRIPE_PRICE_BASIC", "(empty: Basic cannot be bought)", "Stripe price id of the Basic plan's monthly fee."},
		{"MAILVET_STRIPE_PRICE_PREMIUM", "(empty: Premium cannot be bought)", "Stripe price id of the Premium plan's monthly fee."},
		{"MAILVET_STRIPE_METERED_PRICE_BASIC", "(empty: Basic overage not billed)", "Stripe metered price id (last_during_period) for Basic use above the included amount."},
		{"MAILVET_SECRET_KEY", "(required in production; development makes one in .data/)", "Comma-separated id:key pairs, each key 32 random bytes in base64 (openssl rand -base64 32); stored secrets (webhook signing secrets) are sealed with the first with AES-256-GCM, and opened with whichever id they name, so a key can be rotated by putting a new one first."},
		{"MAILVET_WEBHOOK_ALLOW_CIDRS", "(empty: none)", "Comma-separated CIDRs webhook deliveries may reach although private or special-purpose, on any port (the SSRF guard otherwise allows public addresses on ports 80 and 443 only)."},
		{"MAILVET_WEBHOOK_RETRY_SCHEDULE", "5s,5m,30m,2h,5h,10h,10h", "Comma-separated waits before each retry of a webhook delivery, after the first attempt; the delivery is a dead letter after the last."},
		{"MAILVET_STRIPE_METERED_PRICE_PREMIUM", "(empty: Premium overage not billed)", "Stripe metered price id (last_during_period) for Premium use above the included amount."},
		{"STRIPE_API_BASE", "https://api.stripe.com", "Stripe API URL (stripe-mock in tests)."},
		{"MAILVET_REQUEST_LOG_RETENTION", "720h", "How long the API request log keeps a request (24h or more, rounded up to whole days): a day's partition is dropped once all of it is older."},
		{"MAILVET_REQUEST_LOG_BUFFER", "10000", "API requests held in memory per process until their batched write (100-1000000); when full, new ones are dropped and counted rather than slow the API."},
		{"MAILVET_BACKUP_DATABASE_URL", "(empty: DATABASE_URL)", "Login `mailvet backup` dumps as; it must bypass row-level security (a superuser, or a role with BYPASSRLS and pg_read_all_data), or pg_dump refuses."},
		{"MAILVET_BACKUP_TO", "(empty: no scheduled backup)", "Where the scheduled backup (and `mailvet backup` without --to) writes its pg_dump: a file, a directory ending in / (a timestamped file each time), or s3://bucket/key or s3://bucket/prefix/."},
		{"MAILVET_BACKUP_SCHEDULE", DefaultBackupSchedule, "When the scheduled backup runs, as a cron expression in UTC (minute hour day month weekday); only with MAILVET_BACKUP_TO."},
		{"MAILVET_BACKUP_S3_ENDPOINT", "https://s3.amazonaws.com", "URL of the S3-compatible store of s3:// backup targets (http:// only for a store on a private network)."},
		{"MAILVET_BACKUP_S3_REGION", "us-east-1", "Region of the backup bucket."},
		{"MAILVET_BACKUP_S3_PATH_STYLE", "false", "Address the bucket as ENDPOINT/BUCKET instead of BUCKET.ENDPOINT (false: virtual-host style on AWS, path style elsewhere)."},
		{"AWS_ACCESS_KEY_ID", "(empty: the instance's IAM role)", "Access key of s3:// backup targets; with AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)."},
		{"AWS_SECRET_ACCESS_KEY", "(required with AWS_ACCESS_KEY_ID)", "Secret key of s3:// backup targets."},
		{"AWS_SESSION_TOKEN", "(empty)", "Session token of temporary S3 credentials."},
		{"MAILVET_HEALTH_PROBE_MX", "(empty: smtp_egress not configured)", "host[:port] (port: MAILVET_SMTP_PORT) of an MX host that /health's smtp_egress check connects to, directly or through MAILVET_SMTP_PROXY, expecting a 220 greeting; asked at most once a minute."},
		{"MAILVET_HEALTH_QUEUE_LAG", "5m", "Longest a due River job may wait in its queue before /health's river check fails (degraded)."},
		{"MAILVET_HEALTH_DISK_DIR", "(empty: disk not configured; uploads stream into PostgreSQL)", "Existing directory whose file system /health's disk check watches (a spool or backup directory)."},
		{"MAILVET_HEALTH_DISK_MIN_FREE", "1073741824", "Free bytes below which /health's disk check fails (degraded)."},
		{"MAILVET_SLOW_QUERY", "200ms", "A database statement slower than this (at least 1ms) is logged with its template (never its values), duration and route or job, and kept on the performance page."},
		{"MAILVET_ALERT_WEBHOOK_URL", "(empty: alerts are mailed only)", "Operator URL that firing and resolved alerts are POSTed to as JSON, signed like customer webhooks."},
		{"MAILVET_ALERT_WEBHOOK_SECRET", "(required with MAILVET_ALERT_WEBHOOK_URL)", "whsec_ signing secret of the alert webhook (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature)."},
	}
}

// DefaultDNSCanaries is MAILVET_DNS_CANARIES's default: big mail providers.
const DefaultDNSCanaries = "gmail.com,outlook.com,yahoo.com"

// canaries reads a comma-separated list of domain names, or `none`.
func (r *reader) canaries(name string) []string {
	v, ok := r.raw(name)
	if !ok {
		v = DefaultDNSCanaries
	}
	if strings.EqualFold(v, "none") {
		return []string{}
	}
	var out []string
	for _, d := range strings.Split(v, ",") {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if d == "" {
			continue
		}
		if !domainName(d) {
			r.fail(name, v, fmt.Sprintf("%q is not a domain name: want comma-separated domains such as gmail.com,outlook.com, or none", d))
			return nil
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		r.fail(name, v, "names no domain: want comma-separated domains such as gmail.com, or none")
	}
	return out
}

// domainName: two or more labels of letters, digits and inner hyphens.
func domainName(d string) bool {
	labels := strings.Split(d, ".")
	if len(d) > 253 || len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Load reads the settings through lookup (os.LookupEnv in production) and
// returns every problem at once.
func Load(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		DatabaseURL:     r.str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mailvet?sslmode=disable"),
		DBRole:          r.str("MAILVET_DB_ROLE", ""),
		Port:            r.intRange("PORT", 8080, 1, 65535),
		Env:             r.oneOf("MAILVET_ENV", "development", "development", "production"),
		LogLevel:        r.oneOf("MAILVET_LOG_LEVEL", "info", "debug", "info", "warn", "error"),
		WebWorkers:      r.boolean("MAILVET_WEB_WORKERS", true),
		Workers:         r.intRange("MAILVET_WORKERS", 10, 1, 1000),
		DBMaxConns:      r.intRange("MAILVET_DB_MAX_CONNS", 20, 2, 500),
		MailerURL:       r.str("MAILVET_MAILER_URL", ""),
		MailerFrom:      r.str("MAILVET_MAILER_FROM", "mailvet <no-reply@localhost>"),
		SentryDSN:       r.str("SENTRY_DSN", ""),
		MaxBodyBytes:    int64(r.intRange("MAILVET_MAX_BODY_BYTES", 1<<20, 1024, 1<<30)),
		SessionTTL:      r.duration("MAILVET_SESSION_TTL", 14*24*time.Hour, 5*time.Minute),
		InviteTTL:       r.duration("MAILVET_INVITE_TTL", 7*24*time.Hour, time.Minute),
		AuthRatePerMin:  r.intRange("MAILVET_AUTH_RATE", 10, 1, 100000),
		ShutdownTimeout: r.duration("MAILVET_SHUTDOWN_TIMEOUT", 20*time.Second, time.Second),
		TrustedProxies:  r.prefixes("MAILVET_TRUSTED_PROXIES"),
		MetricsToken:    r.str("MAILVET_METRICS_TOKEN", ""),
	}
	if _, set := r.raw("MAILVET_TRUST_PROXY"); set {
		// Refused rather than ignored: the one trusting setting it was
		// believed the leftmost hop, which the client writes.
		r.fail("MAILVET_TRUST_PROXY", "", "is replaced by MAILVET_TRUSTED_PROXIES: list your proxies' CIDRs there")
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		r.errs = append(r.errs, errors.New("MAILVET_METRICS_TOKEN: must be at least 16 characters")) // never echo a secret
	}
	c.MetricsAddr = r.listenAddr("MAILVET_METRICS_ADDR")
	c.AuditRetention = r.days("MAILVET_AUDIT_RETENTION", 400, 1)
	c.DNSServer = r.hostPort("MAILVET_DNS_SERVER")
	c.DNSCanaries = r.canaries("MAILVET_DNS_CANARIES")
	c.SMTPPort = r.intRange("MAILVET_SMTP_PORT", 25, 1, 65535)
	c.SMTPProxy = r.str("MAILVET_SMTP_PROXY", "")
	if c.SMTPProxy != "" {
		r.url("MAILVET_SMTP_PROXY", c.SMTPProxy, "socks5", "socks5h")
	}
	c.SMTPStartTLS = r.boolean("MAILVET_SMTP_STARTTLS", true)
	c.SMTPConnectTimeout = r.duration("MAILVET_SMTP_CONNECT_TIMEOUT", 10*time.Second, 100*time.Millisecond)
	c.SMTPCommandTimeout = r.duration("MAILVET_SMTP_COMMAND_TIMEOUT", 15*time.Second, 100*time.Millisecond)
	c.SMTPMaxConnsPerHost = r.intRange("MAILVET_SMTP_MAX_CONNS_PER_HOST", 5, 1, 50)
	c.ProbeIdentity = r.str("MAILVET_PROBE_IDENTITY", "shared")
	if n := len(c.ProbeIdentity); n == 0 || n > 100 || strings.ContainsFunc(c.ProbeIdentity, unicode.IsControl) {
		r.fail("MAILVET_PROBE_IDENTITY", c.ProbeIdentity, "must be 1 to 100 characters, none of them control characters")
	}
	c.Health = r.health(c.SMTPPort)
	c.VerifyTimeout = r.duration("MAILVET_VERIFY_TIMEOUT", 20*time.Second, 100*time.Millisecond)
	c.UploadMaxBytes = int64(r.intRange("MAILVET_UPLOAD_MAX_BYTES", 100<<20, 1024, 10<<30))
	c.ListMaxRows = r.intRange("MAILVET_LIST_MAX_ROWS", 1_000_000, 1, 100_000_000)
	c.ListRetryDelay = r.duration("MAILVET_LIST_RETRY_DELAY", 5*time.Minute, 10*time.Millisecond)
	c.ListMaxAttempts = r.intRange("MAILVET_LIST_MAX_ATTEMPTS", 3, 1, 20)
	c.ListWorkers = r.intRange("MAILVET_LIST_WORKERS", 4, 1, 256)
	c.ListBatchTimeout = r.duration("MAILVET_LIST_BATCH_TIMEOUT", time.Minute, time.Second)
	if c.ListBatchRows = r.intRange("MAILVET_LIST_BATCH_ROWS", 10_000, 100, 100_000); c.ListBatchRows%100 != 0 {
		r.fail("MAILVET_LIST_BATCH_ROWS", fmt.Sprint(c.ListBatchRows), "must be a multiple of 100")
	}
	c.BillingGrace = r.duration("MAILVET_BILLING_GRACE", 7*24*time.Hour, time.Minute)
	// Partitions are days: a retention of 36h keeps two.
	const day = 24 * time.Hour
	c.RequestLogRetention = (r.duration("MAILVET_REQUEST_LOG_RETENTION", 30*day, day) + day - 1).Truncate(day)
	c.RequestLogBuffer = r.intRange("MAILVET_REQUEST_LOG_BUFFER", 10000, 100, 1_000_000)
	c.Backup = r.backup()
	c.StripeSecretKey = r.str("STRIPE_SECRET_KEY", "")
	c.StripeWebhookSecret = r.str("STRIPE_WEBHOOK_SECRET", "")
	c.StripePriceBasic = r.str("MAILVET_STRIPE_PRICE_BASIC", "")
	c.StripePricePremium = r.str("MAILVET_STRIPE_PRICE_PREMIUM", "")
	c.StripeMeteredPriceBasic = r.str("MAILVET_STRIPE_METERED_PRICE_BASIC", "")
	c.StripeMeteredPricePremium = r.str("MAILVET_STRIPE_METERED_PRICE_PREMIUM", "")
	if v := r.str("STRIPE_API_BASE", ""); v != "" {
		if u := r.url("STRIPE_API_BASE", v, "http", "https"); u != nil {
			c.StripeAPIBase = strings.TrimRight(u.String(), "/")
		}
	}
	if c.StripeSecretKey != "" {
		if !strings.HasPrefix(c.StripeSecretKey, "sk_") && !strings.HasPrefix(c.StripeSecretKey, "rk_") {
			// Never echo a secret.
			r.errs = append(r.errs, errors.New("STRIPE_SECRET_KEY: must be a secret key starting with sk_ or rk_"))
		}
		if c.StripeWebhookSecret == "" {
			r.fail("STRIPE_WEBHOOK_SECRET", "", "required when STRIPE_SECRET_KEY is set, or subscriptions never reach the service")
		}
		if c.StripePriceBasic == "" && c.StripePricePremium == "" {
			r.fail("MAILVET_STRIPE_PRICE_BASIC", "", "set it or MAILVET_STRIPE_PRICE_PREMIUM when STRIPE_SECRET_KEY is set")
		}
	}
	c.SecretKey = r.str("MAILVET_SECRET_KEY", "")
	if c.SecretKey == "" && c.Env == "production" {
		r.fail("MAILVET_SECRET_KEY", "", "required in production: it seals the webhook signing secrets")
	}
	c.WebhookAllowCIDRs = r.prefixes("MAILVET_WEBHOOK_ALLOW_CIDRS")
	c.WebhookRetrySchedule = r.durations("MAILVET_WEBHOOK_RETRY_SCHEDULE", DefaultWebhookRetrySchedule, 50)
	defaultFormat := "text"
	if c.Env == "production" {
		defaultFormat = "json"
	}
	c.LogFormat = r.oneOf("MAILVET_LOG_FORMAT", defaultFormat, "text", "json")
	c.BaseURL = r.url("MAILVET_BASE_URL", fmt.Sprintf("http://localhost:%d", c.Port), "http", "https")
	c.HeloName = r.str("MAILVET_HELO_NAME", c.BaseURL.Hostname())
	c.MailFrom = r.str("MAILVET_MAIL_FROM", "verify@"+c.HeloName)
	if !strings.Contains(c.MailFrom, "@") {
		r.fail("MAILVET_MAIL_FROM", c.MailFrom, "must be an email address")
	}
	if c.DatabaseURL != "" {
		r.url("DATABASE_URL", c.DatabaseURL, "postgres", "postgresql")
	}
	if c.MailerURL != "" {
		r.url("MAILVET_MAILER_URL", c.MailerURL, "smtp", "smtps")
	}
	c.SlowQuery = r.duration("MAILVET_SLOW_QUERY", 200*time.Millisecond, time.Millisecond)
	r.alertWebhook(&c)
	return c, errors.Join(r.errs...)
}
