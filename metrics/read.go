package metrics

import (
	"database/sql"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"mailvet/verify"
)

// WatchEngine reads the engine's counters (verify.Verifier.Stats) on each
// scrape. One snapshot serves all of a scrape's series when they are read
// together, which Prometheus does.
func (m *Metrics) WatchEngine(stats func() verify.Stats) {
	f := func(get func(verify.Stats) float64) func() float64 {
		return func() float64 { return get(stats()) }
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "mailvet_smtp_connections_open", Help: "SMTP connections open, in use or idle."},
			f(func(s verify.Stats) float64 { return float64(s.ConnsOpen) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "mailvet_smtp_connections_idle", Help: "SMTP connections idle in the pool."},
			f(func(s verify.Stats) float64 { return float64(s.ConnsIdle) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_smtp_dials_total", Help: "SMTP connections dialled."},
			f(func(s verify.Stats) float64 { return float64(s.Dials) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_smtp_reuses_total", Help: "SMTP transactions on a pooled connection."},
			f(func(s verify.Stats) float64 { return float64(s.Reuses) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_smtp_mx_waits_total", Help: "Waits for a per-MX-host connection slot."},
			f(func(s verify.Stats) float64 { return float64(s.MXWaits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_smtp_replies_total", Help: "SMTP replies monitoring watches for, by code.",
			ConstLabels: prometheus.Labels{"code": "421"}}, f(func(s verify.Stats) float64 { return float64(s.Replies421) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_smtp_replies_total", Help: "SMTP replies monitoring watches for, by code.",
			ConstLabels: prometheus.Labels{"code": "452"}}, f(func(s verify.Stats) float64 { return float64(s.Replies452) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_dns_cache_lookups_total", Help: "DNS answer cache lookups by result.",
			ConstLabels: prometheus.Labels{"result": "hit"}}, f(func(s verify.Stats) float64 { return float64(s.DNSCacheHits) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_dns_cache_lookups_total", Help: "DNS answer cache lookups by result.",
			ConstLabels: prometheus.Labels{"result": "miss"}}, f(func(s verify.Stats) float64 { return float64(s.DNSCacheMisses) })),
	)
}

// WatchRequestLog reads the API request log's drop count on each scrape
// (requestlog.Writer.Drops).
func (m *Metrics) WatchRequestLog(drops func() uint64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "mailvet_request_log_dropped_total",
		Help: "API request log entries dropped because the buffer was full."}, func() float64 { return float64(drops()) }))
}

// WatchDB reads the connection pool's figures (go_sql_*) on each scrape.
func (m *Metrics) WatchDB(name string, pool *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
}
