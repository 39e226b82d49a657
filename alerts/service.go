package alerts

import (
	"context"
	"net/http"
	"net/netip"
	"time"

	"mailvet/db"
	"mailvet/mail"
	"mailvet/webhooks/transport"
)

// HealthChecker runs the service's health checks: each check's name and
// its error (nil: ok). /health's checks, adapted in wiring.
type HealthChecker interface {
	Check(ctx context.Context) map[string]error
}

// Poster sends one signed webhook attempt (transport.Client); extra are
// networks reachable besides the client's own (none here).
type Poster interface {
	Post(ctx context.Context, rawURL string, extra []netip.Prefix, header http.Header, body []byte) transport.Result
}

// Webhook is the operator's alert webhook: firing and resolved notices
// are posted to URL, signed with Secret (a whsec_ secret) like customer
// webhooks. An empty URL: mail only.
type Webhook struct {
	URL, Secret string
	Client      Poster
}

// Deps are what the service needs.
type Deps struct {
	DB     *db.DB
	Mail   *mail.Queue
	Health HealthChecker // nil: health_check rules see no failing check
	Hook   Webhook
	// Link makes an absolute URL to a page, for the mails.
	Link func(path string) string
}

// Service keeps, evaluates and notifies the alert rules.
type Service struct {
	db     *db.DB
	mail   *mail.Queue
	health HealthChecker
	hook   Webhook
	link   func(path string) string
	now    func() time.Time
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Link == nil {
		d.Link = func(p string) string { return p }
	}
	return &Service{db: d.DB, mail: d.Mail, health: d.Health, hook: d.Hook, link: d.Link, now: time.Now}
}
