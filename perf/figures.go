package perf

import (
	"context"
	"time"

	"mailvet/actor"
	"mailvet/db"
)

// RouteFigures are one API route's figures over a window.
type RouteFigures struct {
	Route    string  `bun:"route"`
	Requests int     `bun:"requests"`
	Errors   int     `bun:"errors"` // 5xx answers
	P50      float64 `bun:"p50"`    // milliseconds
	P95      float64 `bun:"p95"`
	P99      float64 `bun:"p99"`
}

// PerMinute is the requests per minute over the window.
func (r RouteFigures) PerMinute(window time.Duration) float64 {
	return float64(r.Requests) / window.Minutes()
}

// ErrorRate is the share of 5xx answers, 0–1.
func (r RouteFigures) ErrorRate() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Errors) / float64(r.Requests)
}

// Minute is one minute's counts by a class (status class, verdict).
type Minute struct {
	At     time.Time `bun:"minute"`
	Class  string    `bun:"class"`
	Counts int       `bun:"n"`
}

// QueueLag is one River queue's backlog: available jobs and how long the
// oldest of them has waited since it was due.
type QueueLag struct {
	Queue     string  `bun:"queue"`
	Available int     `bun:"available"`
	LagSec    float64 `bun:"lag_seconds"`
}

// Overview is the performance page's figures.
type Overview struct {
	Hour, Day     []RouteFigures // per route, busiest first
	Requests      []Minute       // the last hour's API requests per minute by status class (2xx…5xx)
	Verifications []Minute       // the last hour's verifications per minute by status
	Queues        []QueueLag
	Slow          []SlowQuery
}

// Overview reads the figures, for a platform admin. The request log and
// the verifications are every tenant's, so they are read on the system
// path, in one snapshot.
func (s *Service) Overview(ctx context.Context, by actor.Actor) (Overview, error) {
	var o Overview
	if err := by.RequirePlatform(); err != nil {
		return o, err
	}
	err := s.db.Tx(ctx, db.System("performance page: latency, throughput and verdicts over every tenant").Snapshot(), func(ctx context.Context, tx db.Tx) error {
		for _, w := range []struct {
			into   *[]RouteFigures
			window time.Duration
		}{{&o.Hour, time.Hour}, {&o.Day, 24 * time.Hour}} {
			if err := tx.NewRaw(routeFigures, w.window.Seconds()).Scan(ctx, w.into); err != nil {
				return err
			}
		}
		if err := tx.NewRaw(`SELECT date_trunc('minute', created_at) AS minute, (status / 100)::text || 'xx' AS class, count(*) AS n
			FROM request_logs WHERE created_at > now() - interval '1 hour' GROUP BY 1, 2 ORDER BY 1, 2`).Scan(ctx, &o.Requests); err != nil {
			return err
		}
		if err := tx.NewRaw(`SELECT date_trunc('minute', created_at) AS minute, status AS class, count(*) AS n
			FROM verifications WHERE created_at > now() - interval '1 hour' GROUP BY 1, 2 ORDER BY 1, 2`).Scan(ctx, &o.Verifications); err != nil {
			return err
		}
		return tx.NewRaw(queueLag).Scan(ctx, &o.Queues)
	})
	if err != nil {
		return o, err
	}
	o.Slow, err = s.SlowQueries(ctx, 20, by)
	return o, err
}

// routeFigures: percentiles of the API request log per route over the
// last ? seconds.
const routeFigures = `SELECT route, count(*) AS requests, count(*) FILTER (WHERE status >= 500) AS errors,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_us) / 1000 AS p50,
		percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_us) / 1000 AS p95,
		percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_us) / 1000 AS p99
	FROM request_logs WHERE created_at > now() - make_interval(secs => ?)
	GROUP BY route ORDER BY requests DESC, route LIMIT 50`

// queueLag: River's available jobs per queue (every configured queue, also
// an empty one, is in river_queue) and the wait of the oldest due one.
const queueLag = `SELECT q.name AS queue, count(j.id) AS available,
		coalesce(extract(epoch FROM now() - min(j.scheduled_at)), 0) AS lag_seconds
	FROM (SELECT name FROM river_queue UNION SELECT DISTINCT queue FROM river_job WHERE state = 'available') q
	LEFT JOIN river_job j ON j.queue = q.name AND j.state = 'available' AND j.scheduled_at <= now()
	GROUP BY q.name ORDER BY q.name`
