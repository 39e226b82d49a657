package metrics

import (
	"context"
	"database/sql"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"mailvet/db"
)

// scrapeTimeout bounds the queries one scrape runs: a slow database makes
// the scrape miss these series, never hang.
const scrapeTimeout = 2 * time.Second

// WatchQueue reads River's tables and the running lists on each scrape.
// River's tables have no tenant; the lists are counted across tenants,
// which only the system scope may.
func (m *Metrics) WatchQueue(d *db.DB) {
	m.reg.MustRegister(&queueCollector{db: d,
		jobs:   prometheus.NewDesc("mailvet_river_jobs", "River jobs by kind and state.", []string{"kind", "state"}, nil),
		depth:  prometheus.NewDesc("mailvet_river_queue_depth", "River jobs available to work now, by queue.", []string{"queue"}, nil),
		oldest: prometheus.NewDesc("mailvet_river_oldest_available_seconds", "Age of the oldest job available to work, by queue (the queue's lag).", []string{"queue"}, nil),
		lists:  prometheus.NewDesc("mailvet_lists_running", "Lists being verified now, in every workspace.", nil, nil),
	})
}

type queueCollector struct {
	db                         *db.DB
	jobs, depth, oldest, lists *prometheus.Desc
}

var listsScope = db.System("metrics: the count of running lists, across workspaces")

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.jobs
	ch <- c.depth
	ch <- c.oldest
	ch <- c.lists
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	if err := c.collectJobs(ctx, ch); err != nil {
		ch <- prometheus.NewInvalidMetric(c.jobs, err)
	}
	if err := c.collectQueues(ctx, ch); err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
	}
	var running int64
	err := c.db.QueryRow(ctx, listsScope, `SELECT count(*) FROM lists WHERE status = 'running'`).Scan(&running)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.lists, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.lists, prometheus.GaugeValue, float64(running))
}

func (c *queueCollector) collectJobs(ctx context.Context, ch chan<- prometheus.Metric) error {
	rows, err := c.db.Pool.Query(ctx, `SELECT kind, state::text, count(*) FROM river_job GROUP BY kind, state`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, state string
		var n int64
		if err := rows.Scan(&kind, &state, &n); err != nil {
			return err
		}
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(n), kind, state)
	}
	return rows.Err()
}

// collectQueues reports every queue River knows, an idle one as 0, and any
// queue holding available jobs although no worker has started it.
func (c *queueCollector) collectQueues(ctx context.Context, ch chan<- prometheus.Metric) error {
	rows, err := c.db.Pool.Query(ctx, `SELECT queue, count(id), coalesce(extract(epoch FROM now() - min(scheduled_at)), 0)::float8
		FROM (SELECT queue, id, scheduled_at FROM river_job WHERE state = 'available' AND scheduled_at <= now()
		      UNION ALL SELECT name, NULL, NULL FROM river_queue) q
		GROUP BY queue`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var queue string
		var n int64
		var age float64
		if err := rows.Scan(&queue, &n, &age); err != nil {
			return err
		}
		ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(n), queue)
		ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age, queue)
	}
	return rows.Err()
}

// WatchJobs follows a working River client's job events until ctx ends:
// run time by kind, failures that will be retried and those that were
// the last. River drops events a slow reader leaves unread (its buffer is
// 1,000), which only a stalled process would.
func (m *Metrics) WatchJobs(ctx context.Context, client *river.Client[*sql.Tx]) {
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	go func() {
		defer cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case e, ok := <-events:
				if !ok {
					return
				}
				m.jobEvent(e)
			}
		}
	}()
}

func (m *Metrics) jobEvent(e *river.Event) {
	if e.Job == nil {
		return
	}
	kind := e.Job.Kind
	if e.JobStats != nil {
		m.jobDuration.WithLabelValues(kind).Observe(e.JobStats.RunDuration.Seconds())
	}
	if e.Kind != river.EventKindJobFailed {
		return
	}
	if e.Job.State == rivertype.JobStateDiscarded {
		m.jobDiscards.WithLabelValues(kind).Inc()
	} else {
		m.jobRetries.WithLabelValues(kind).Inc()
	}
}
