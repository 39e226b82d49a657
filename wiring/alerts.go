package wiring

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"mailvet/alerts"
	"mailvet/db"
	"mailvet/mail"
	"mailvet/webhooks/transport"
)

// newAlerts builds the alert rules' service: mails through queue, the
// operator webhook (MAILVET_ALERT_WEBHOOK_URL) and the health checks the
// health_check rules watch.
func (s *Services) newAlerts(queue *mail.Queue) *alerts.Service {
	cfg := s.Config
	// The operator's own URL, not a customer's: it may well be on the
	// private network (an Alertmanager, a chat relay), so the SSRF guard
	// lets it reach any address.
	client := transport.NewClient(transport.Options{AllowHTTP: true,
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}})
	return alerts.NewService(alerts.Deps{DB: s.DB, Mail: queue, Health: dbHealth{s.DB}, Link: s.Link,
		Hook: alerts.Webhook{URL: cfg.AlertWebhookURL, Secret: cfg.AlertWebhookSecret, Client: client}})
}

// dbHealth is what every process can check of /health's dependencies
// without its HTTP server: the database answers and its schema is
// current. (River's leader is the evaluating job's own precondition.)
type dbHealth struct{ d *db.DB }

func (h dbHealth) Check(ctx context.Context) map[string]error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	out := map[string]error{"database": h.d.Ping(ctx)}
	pending, err := h.d.PendingMigrations(ctx)
	if err == nil && pending > 0 {
		err = fmt.Errorf("%d migrations pending", pending)
	}
	out["migrations"] = err
	return out
}
