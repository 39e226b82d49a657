package metrics

import (
	"net/http"
	"time"

	"mailvet/verify"
)

// HTTP requests (app.RequestObserver).

// RequestStarted counts a request in flight.
func (m *Metrics) RequestStarted() { m.httpInFlight.Inc() }

// RequestFinished records a served request under its route pattern
// (r.Pattern; "unmatched" when no route took it), never its raw path, so
// the series stay as few as the routes.
func (m *Metrics) RequestFinished(route, method string, status int, elapsed time.Duration) {
	m.httpInFlight.Dec()
	if route == "" {
		route = "unmatched"
	}
	method = knownMethod(method)
	m.httpRequests.WithLabelValues(route, method, statusClass(status)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(elapsed.Seconds())
}

// knownMethod keeps a client's made-up method out of the labels.
func knownMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

var statusClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

func statusClass(code int) string {
	if code >= 100 && code < 600 {
		return statusClasses[code/100-1]
	}
	return "other"
}

// Verifications (verifications.Observer, lists.Observer).

// Verified counts one recorded verification.
func (m *Metrics) Verified(source string, r verify.Result) {
	m.verifications.WithLabelValues(string(r.Status), string(r.Reason), source).Inc()
}

// CacheLookups counts result cache lookups.
func (m *Metrics) CacheLookups(hits, misses int) {
	if hits > 0 {
		m.cacheLookups.WithLabelValues("hit").Add(float64(hits))
	}
	if misses > 0 {
		m.cacheLookups.WithLabelValues("miss").Add(float64(misses))
	}
}

// EngineRan records the engine time of one live verification or batch.
func (m *Metrics) EngineRan(elapsed time.Duration) { m.engineDuration.Observe(elapsed.Seconds()) }

// RowsProcessed counts list rows given their verdict.
func (m *Metrics) RowsProcessed(n int) { m.listRows.Add(float64(n)) }

// Webhooks (webhooks.Observer) and schedules (schedules.Observer).

// WebhookAttempt counts one delivery attempt: delivered, failed or gone.
func (m *Metrics) WebhookAttempt(outcome string) { m.webhookAttempts.WithLabelValues(outcome).Inc() }

// WebhookDeadLetter counts a delivery given up.
func (m *Metrics) WebhookDeadLetter() { m.webhookDeadLetters.Inc() }

// ScheduledRun counts a finished scheduled run: completed or failed.
func (m *Metrics) ScheduledRun(outcome string) { m.scheduledRuns.WithLabelValues(outcome).Inc() }

// HealthCheck records whether a health check passed, whenever one is
// evaluated (/health, the alert job).
func (m *Metrics) HealthCheck(check string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.healthCheckUp.WithLabelValues(check).Set(v)
}
