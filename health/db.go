package health

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/db"
)

// Database pings PostgreSQL.
func Database(d *db.DB) Probe {
	return func(ctx context.Context) (string, error) { return "", d.Ping(ctx) }
}

// Migrations fails while migrations (ours or River's) are pending.
func Migrations(d *db.DB) Probe {
	return func(ctx context.Context) (string, error) {
		pending, err := d.PendingMigrations(ctx)
		if err != nil {
			return "", err
		}
		if pending > 0 {
			return "", fmt.Errorf("%d migrations pending: run `mailvet migrate`", pending)
		}
		return "current", nil
	}
}

// River fails when no worker process holds River's leadership (every
// running one competes for it within seconds), or when the oldest job
// waiting in some queue has waited longer than maxLag: the workers are
// gone, stuck or too few.
func River(d *db.DB, maxLag time.Duration) Probe {
	return func(ctx context.Context) (string, error) {
		var leader string
		var current bool
		err := d.Pool.QueryRow(ctx, `SELECT leader_id, expires_at > now() FROM river_leader LIMIT 1`).Scan(&leader, &current)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return "", fmt.Errorf("no River leader: %w", err)
		}
		if !current {
			return "", errors.New("no River leader: no worker process is running (start `mailvet work` or `mailvet serve`)")
		}
		lagging, err := laggingQueues(ctx, d, maxLag)
		if err != nil {
			return "", err
		}
		if len(lagging) > 0 {
			return "", fmt.Errorf("jobs wait longer than %s: %s", maxLag, strings.Join(lagging, ", "))
		}
		return "leader " + leader, nil
	}
}

// laggingQueues names the queues whose oldest available job has waited
// (since it was due) longer than maxLag, with that wait.
func laggingQueues(ctx context.Context, d *db.DB, maxLag time.Duration) ([]string, error) {
	rows, err := d.Pool.Query(ctx, `SELECT queue, extract(epoch FROM now() - min(scheduled_at))::float8
		FROM river_job WHERE state = 'available' AND scheduled_at <= now()
		GROUP BY queue HAVING min(scheduled_at) < now() - make_interval(secs => $1) ORDER BY queue`, maxLag.Seconds())
	if err != nil {
		return nil, fmt.Errorf("read River's queue lag: %w", err)
	}
	var out []string
	for rows.Next() {
		var queue string
		var seconds float64
		if err := rows.Scan(&queue, &seconds); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("queue %s %s behind", queue, (time.Duration(seconds)*time.Second).Round(time.Second)))
	}
	return out, rows.Err()
}
