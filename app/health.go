package app

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"time"
)

type checkResult struct {
	Status    string  `json:"status"` // ok | fail
	LatencyMS float64 `json:"latency_ms,omitempty"`
	Detail    string  `json:"detail,omitempty"`
}

// handleHealthz says the process is alive, and nothing more.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// handleHealth checks each dependency and answers 503 when one fails.
// Anyone sees the statuses; the details (latencies, error messages, which
// may name the database's user, host and River's client) only the
// metrics token or a signed-in platform admin.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]checkResult{
		"database":   timed(func() (string, error) { return "", s.DB.Ping(ctx) }),
		"migrations": timed(func() (string, error) { return s.checkMigrations(ctx) }),
		"river":      timed(func() (string, error) { return s.checkRiver(ctx) }),
	}
	if s.DNSHealth != nil {
		// The engine's last canary check; asking costs nothing.
		checks["dns"] = timed(func() (string, error) { return "", s.DNSHealth() })
	}
	status, code := "ok", http.StatusOK
	for _, c := range checks {
		if c.Status != "ok" {
			status, code = "fail", http.StatusServiceUnavailable
		}
	}
	if !s.mayReadHealthDetails(r) {
		for name, c := range checks {
			checks[name] = checkResult{Status: c.Status}
		}
	}
	writeJSON(w, code, map[string]any{"status": status, "checks": checks})
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

func timed(check func() (string, error)) checkResult {
	start := time.Now()
	detail, err := check()
	res := checkResult{Status: "ok", Detail: detail, LatencyMS: float64(time.Since(start).Microseconds()) / 1000}
	if err != nil {
		res.Status, res.Detail = "fail", err.Error()
	}
	return res
}

func (s *Server) checkMigrations(ctx context.Context) (string, error) {
	pending, err := s.DB.PendingMigrations(ctx)
	if err != nil {
		return "", err
	}
	if pending > 0 {
		return "", fmt.Errorf("%d migrations pending: run `mailvet migrate`", pending)
	}
	return "current", nil
}

// checkRiver asks whether some worker process holds River's leadership,
// which every running worker process competes for within seconds.
func (s *Server) checkRiver(ctx context.Context) (string, error) {
	var leader string
	var ok bool
	err := s.DB.Pool.QueryRow(ctx, `SELECT leader_id, expires_at > now() FROM river_leader LIMIT 1`).Scan(&leader, &ok)
	if err != nil || !ok {
		return "", fmt.Errorf("no River leader: no worker process is running (start `mailvet work` or `mailvet serve`)")
	}
	return "leader " + leader, nil
}
