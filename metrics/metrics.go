// Package metrics is the service's Prometheus side: one registry, built in
// wiring and passed in (never the global default), the instruments the
// other packages feed and the collectors that read figures on scrape.
//
// It is the only package that knows Prometheus. The domain packages and
// the HTTP layer report through small observer interfaces of their own
// (app.RequestObserver, verifications.Observer, lists.Observer,
// webhooks.Observer, schedules.Observer), which *Metrics implements: an
// interface each is one method call on the path, keeps their tests free of
// a registry, and leaves them unaware of label names. What already counts
// itself (the engine's verify.Stats, the request log's drops, the pool's
// sql.DBStats, River's tables) is read on scrape instead, so it costs
// nothing between scrapes.
package metrics

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the instruments the service's packages report to.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpInFlight prometheus.Gauge

	verifications  *prometheus.CounterVec
	engineDuration prometheus.Histogram
	cacheLookups   *prometheus.CounterVec
	listRows       prometheus.Counter

	webhookAttempts    *prometheus.CounterVec
	webhookDeadLetters prometheus.Counter
	scheduledRuns      *prometheus.CounterVec
	healthCheckUp      *prometheus.GaugeVec

	jobDuration *prometheus.HistogramVec
	jobRetries  *prometheus.CounterVec
	jobDiscards *prometheus.CounterVec
}

// New registers the service's instruments, the Go runtime's and the
// process's on a new registry.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{reg: reg}
	f := factory{reg}
	m.httpRequests = f.counterVec("mailvet_http_requests_total", "HTTP requests by route pattern, method and status class.", "route", "method", "status_class")
	m.httpDuration = f.histogramVec("mailvet_http_request_duration_seconds", "HTTP request latency by route pattern and method.",
		prometheus.DefBuckets, "route", "method")
	m.httpInFlight = f.gauge("mailvet_http_requests_in_flight", "HTTP requests being served.")
	m.verifications = f.counterVec("mailvet_verifications_total", "Verifications recorded, by verdict and where they came from.", "status", "reason", "source")
	m.engineDuration = f.histogram("mailvet_engine_duration_seconds", "Engine time (DNS and SMTP) of one live verification or one list batch.",
		[]float64{.01, .05, .1, .25, .5, 1, 2.5, 5, 10, 20, 60})
	m.cacheLookups = f.counterVec("mailvet_cache_lookups_total", "Result cache lookups by result (hit or miss).", "result")
	m.listRows = f.counter("mailvet_list_rows_processed_total", "List rows given their verdict (rate() is rows per second).")
	m.webhookAttempts = f.counterVec("mailvet_webhook_attempts_total", "Webhook delivery attempts by outcome (delivered, failed, gone).", "outcome")
	m.webhookDeadLetters = f.counter("mailvet_webhook_dead_letters_total", "Webhook deliveries given up and kept as dead letters.")
	m.scheduledRuns = f.counterVec("mailvet_scheduled_runs_total", "Scheduled re-verification runs finished, by outcome (completed, failed).", "outcome")
	m.healthCheckUp = f.gaugeVec("mailvet_health_check_up", "1 when a health check last passed, 0 when it failed.", "check")
	m.jobDuration = f.histogramVec("mailvet_river_job_duration_seconds", "River job run time by kind.",
		[]float64{.005, .01, .05, .1, .5, 1, 5, 10, 30, 60, 300}, "kind")
	m.jobRetries = f.counterVec("mailvet_river_job_retries_total", "River job runs that failed and will be retried, by kind.", "kind")
	m.jobDiscards = f.counterVec("mailvet_river_job_discards_total", "River jobs that failed for the last time, by kind.", "kind")
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is where collectors of figures read on scrape are added.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the Prometheus text format. With a
// token, only `Authorization: Bearer <token>` is answered (compared in
// constant time); anything else gets 401.
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
	if token == "" {
		return h
	}
	want := []byte(token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// factory registers instruments on one registry.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) gaugeVec(name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}
