package app

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"mailvet/health"
)

// checkJSON is one check in /health's answer; in public only Status.
type checkJSON struct {
	Status    health.Status `json:"status"` // ok | failing | not_configured
	Required  bool          `json:"required,omitempty"`
	LatencyMS *float64      `json:"latency_ms,omitempty"`
	Detail    string        `json:"detail,omitempty"`
}

// handleHealthz says the process is alive, and nothing more.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// handleHealth runs the health checks (package health, built by wiring)
// and answers within 2 s whatever hangs: 503 when a required check fails
// (the database, migrations), 200 otherwise, "degraded" when an optional
// one fails. Anyone sees the statuses; the details (latencies, error
// messages, which may name the database's user, hosts and River's
// client) only the metrics token or a signed-in platform admin.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	// Who may read the details is itself a database read (the session):
	// it runs beside the checks, within the same budget.
	ctx, cancel := context.WithTimeout(r.Context(), health.Budget)
	defer cancel()
	mayRead := make(chan bool, 1)
	go func() { mayRead <- s.mayReadHealthDetails(r.WithContext(ctx)) }()
	report := s.Health.Run(ctx)
	details := false
	select {
	case details = <-mayRead:
	case <-ctx.Done():
		select {
		case details = <-mayRead: // done just as the budget ran out
		default:
		}
	}
	checks := make(map[string]checkJSON, len(report.Checks))
	for _, c := range report.Checks {
		out := checkJSON{Status: c.Status}
		if details {
			out.Required, out.Detail = c.Required, c.Detail
			if c.Status != health.NotConfigured {
				out.LatencyMS = &c.LatencyMS
			}
		}
		checks[c.Name] = out
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, report.HTTPStatus(), map[string]any{"status": report.Status, "checks": checks})
}

// mayReadHealthDetails: `Authorization: Bearer <MAILVET_METRICS_TOKEN>`,
// or a platform admin's session.
func (s *Server) mayReadHealthDetails(r *http.Request) bool {
	if scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " "); ok && s.MetricsToken != "" && strings.EqualFold(scheme, "Bearer") {
		return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.MetricsToken)) == 1
	}
	if r.Header.Get("Cookie") == "" {
		return false
	}
	pc, err := s.loadPage(r)
	return err == nil && pc != nil && pc.user.PlatformAdmin
}
