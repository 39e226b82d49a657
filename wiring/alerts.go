package wiring

import (
	"cmp"
	"context"
	"errors"
	"net/netip"

	"mailvet/alerts"
	"mailvet/health"
	"mailvet/mail"
	"mailvet/webhooks/transport"
)

// newAlerts builds the alert rules' service: mails through queue, the
// operator webhook (MAILVET_ALERT_WEBHOOK_URL) and the health checks the
// health_check rules watch (s.Health, built first).
func (s *Services) newAlerts(queue *mail.Queue) *alerts.Service {
	cfg := s.Config
	// The operator's own URL, not a customer's: it may well be on the
	// private network (an Alertmanager, a chat relay), so the SSRF guard
	// lets it reach any address.
	client := transport.NewClient(transport.Options{AllowHTTP: true,
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}})
	return alerts.NewService(alerts.Deps{DB: s.DB, Mail: queue, Health: healthChecks{s.Health}, Link: s.Link,
		Hook: alerts.Webhook{URL: cfg.AlertWebhookURL, Secret: cfg.AlertWebhookSecret, Client: client}})
}

// healthChecks adapts the process's health checker (the one /health
// runs, with its reuse of results) to the alert rules: each check's
// failure, by name; a check not configured is no failure.
type healthChecks struct{ c *health.Checker }

func (h healthChecks) Check(ctx context.Context) map[string]error {
	out := map[string]error{}
	for _, r := range h.c.Run(ctx).Checks {
		var err error
		if r.Status == health.Failing {
			err = errors.New(cmp.Or(r.Detail, "failing"))
		}
		out[r.Name] = err
	}
	return out
}
