package alerts

import (
	"context"
	"sort"
	"strings"

	"mailvet/db"
)

// metricSQL reads each metric's value now, over every tenant; ? is the
// rule's target (empty: all).
var metricSQL = map[string]string{
	ErrorRate: `SELECT coalesce(100.0 * count(*) FILTER (WHERE status >= 500) / nullif(count(*), 0), 0) FROM request_logs
		WHERE created_at > now() - interval '5 minutes' AND (? = '' OR route = ?)`,
	RouteP95: `SELECT coalesce(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_us) / 1000, 0) FROM request_logs
		WHERE created_at > now() - interval '5 minutes' AND (? = '' OR route = ?)`,
	QueueLag: `SELECT coalesce(extract(epoch FROM now() - min(scheduled_at)), 0) FROM river_job
		WHERE state = 'available' AND scheduled_at <= now() AND (? = '' OR queue = ?)`,
	DeadLetters: `SELECT count(*) FROM webhook_deliveries WHERE state = 'dead' AND finished_at > now() - interval '1 hour' AND ? = ?`,
	FailedRuns: `SELECT count(*) FROM list_runs WHERE status = 'failed' AND trigger = 'schedule'
		AND coalesce(completed_at, created_at) > now() - interval '1 hour' AND ? = ?`,
	RequestLogDrops: `SELECT coalesce(sum(dropped), 0) FROM request_log_drops WHERE created_at > now() - interval '1 hour' AND ? = ?`,
}

// value is r's metric now; failing are the health checks that failed.
func value(ctx context.Context, tx db.Tx, r Rule, failing []string) (float64, error) {
	if r.Metric == HealthCheck {
		n := 0
		for _, name := range failing {
			if r.Target == "" || strings.EqualFold(r.Target, name) {
				n++
			}
		}
		return float64(n), nil
	}
	var v float64
	err := tx.QueryRowContext(ctx, metricSQL[r.Metric], r.Target, r.Target).Scan(&v)
	return v, err
}

// failingChecks runs the health checks and names those that failed, sorted.
func (s *Service) failingChecks(ctx context.Context) []string {
	if s.health == nil {
		return nil
	}
	var out []string
	for name, err := range s.health.Check(ctx) {
		if err != nil {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
