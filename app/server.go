// Package app is the HTTP side of mailvet: routing, middleware, the page
// handlers (templ + HTMX) and the JSON API. It holds no business rules; it
// translates requests into calls on the domain packages.
package app

import (
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"time"

	"github.com/go-playground/form/v4"
	"github.com/go-playground/validator/v10"
	"github.com/sethvargo/go-limiter"
	"github.com/sethvargo/go-limiter/memorystore"

	"mailvet/alerts"
	"mailvet/audit"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/health"
	"mailvet/inbound"
	"mailvet/lists"
	"mailvet/perf"
	"mailvet/platform"
	"mailvet/requestlog"
	"mailvet/rules"
	"mailvet/schedules"
	"mailvet/tenants"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/webhooks"
)

// Deps are what the HTTP layer needs.
type Deps struct {
	Log           *slog.Logger
	DB            *db.DB
	Tenants       *tenants.Store
	Verifications *verifications.Service
	Lists         *lists.Store
	Billing       *billing.Service
	Stripe        *billing.Stripe // checkout, portal, webhooks; nil or keyless: billing off
	Rules         *rules.Store
	Usage         *usage.Store // verification rollups; nil: read from DB
	Webhooks      *webhooks.Service
	Schedules     *schedules.Service
	Inbound       *inbound.Service // CRM pushes in (POST /v1/inbound/…)
	// Platform reads across tenants for the admin console.
	Platform *platform.Service
	// RiverUI is River's own UI, mounted at /admin/river/ for platform
	// admins; nil: not served.
	RiverUI http.Handler
	// RequestLog records every authenticated /v1 request off the request
	// path; nil: not recorded. RequestLogs reads them back.
	RequestLog  *requestlog.Writer
	RequestLogs *requestlog.Store
	Audit       *audit.Store // the audit log's viewers, export and API
	// JobsWork says whether this process runs workers (for /health).
	JobsWork bool
	// SMTPMaxConnsPerHost is the engine's cap per MX for everyone, shown
	// beside a tenant's own on the console.
	SMTPMaxConnsPerHost int

	BaseURL        *url.URL
	SessionTTL     time.Duration
	MaxBodyBytes   int64
	UploadMaxBytes int64
	AuthRatePerMin int
	// TrustedProxies are the proxies whose X-Forwarded-For hops are
	// believed; empty: the header is ignored (see clientip.go).
	TrustedProxies []netip.Prefix
	// MetricsToken, when set, lets `Authorization: Bearer <token>` read the
	// details of /health (platform admins see them signed in).
	MetricsToken string
	// Health runs /health's checks (wiring.NewHealth builds them).
	Health *health.Checker
	// Perf reads the performance page's figures (nil: no page);
	// SlowQuery is MAILVET_SLOW_QUERY, which the page names.
	Perf      *perf.Service
	SlowQuery time.Duration
	// Alerts keeps the alert rules the console edits (nil: no pages).
	Alerts *alerts.Service
	// Metrics serves GET /metrics on this port (already guarded by its
	// token); nil: /metrics is not found here (never public by default).
	Metrics http.Handler
	// Observer is told of every request, for the HTTP metrics; nil: none.
	Observer RequestObserver
}

// Server handles every HTTP request.
type Server struct {
	Deps
	sessions    *sessionStore
	authLimiter limiter.Store
	keyLimits   *keyLimiter
	validate    *validator.Validate
	forms       *form.Decoder
	errorTable  []errorRule
	headers     securityHeaders
	// openAPI is the document /v1/openapi.yaml serves, built on its first
	// request (api_openapi.go).
	openAPI openAPIOnce
}

// New builds the server.
func New(deps Deps) (*Server, error) {
	if deps.MaxBodyBytes <= 0 {
		deps.MaxBodyBytes = 1 << 20
	}
	if deps.UploadMaxBytes <= 0 {
		deps.UploadMaxBytes = 100 << 20
	}
	if deps.SessionTTL <= 0 {
		deps.SessionTTL = 14 * 24 * time.Hour
	}
	if deps.AuthRatePerMin <= 0 {
		deps.AuthRatePerMin = 10
	}
	if deps.Usage == nil && deps.DB != nil {
		deps.Usage = usage.NewStore(deps.DB)
	}
	lim, err := memorystore.New(&memorystore.Config{
		Tokens:   uint64(deps.AuthRatePerMin),
		Interval: time.Minute,
	})
	if err != nil {
		return nil, err
	}
	kl, err := newKeyLimiter()
	if err != nil {
		return nil, err
	}
	return &Server{
		Deps:        deps,
		keyLimits:   kl,
		sessions:    newSessionStore(deps.Tenants, deps.SessionTTL, deps.BaseURL.Scheme == "https"),
		authLimiter: lim,
		validate:    newValidator(),
		forms:       newFormDecoder(),
		errorTable:  newErrorTable(),
		headers:     newSecurityHeaders(deps.BaseURL),
	}, nil
}

// Handler returns the root handler with every middleware applied.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes(mux)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(s.csrfDenied))
	// Stripe's webhook calls come without Origin or Sec-Fetch-Site, which
	// the protection lets through anyway; the bypass makes that explicit.
	// The Stripe-Signature is what authenticates them.
	csrf.AddInsecureBypassPattern("POST /stripe/webhook")
	// Likewise a CRM's pushes in, authenticated by their webhook-signature.
	csrf.AddInsecureBypassPattern("POST /v1/inbound/{endpoint_id}")
	// Logging wraps the recovery so that a panic's 500 is logged too (the
	// API request log keeps it).
	return s.withRequestID(s.withSecurityHeaders(s.withLogging(s.withRecover(withQueryLabel(csrf.Handler(notePattern(mux)))))))
}
