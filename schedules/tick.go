package schedules

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
)

// tickBatch bounds the schedules one transaction of a tick takes; a tick
// goes on in batches until none is left due.
const tickBatch = 500

// Tick enqueues a run for every schedule whose period has come, across
// tenants (the one cross-tenant path of this package), and moves each
// schedule to its next period after now. The schedule's row is locked
// (SKIP LOCKED: two ticks share the work instead of waiting) and its run
// is unique per period, so a period is enqueued once however many
// processes tick. Periods missed while nothing ran collapse into one run,
// recorded as the first missed period's. A period that comes while the
// list's previous run is still going is skipped (the list has one run at
// a time).
func (s *Service) Tick(ctx context.Context) (enqueued int, err error) {
	now := s.now()
	for {
		n, taken, err := s.tickOnce(ctx, now)
		enqueued += n
		if err != nil || taken < tickBatch {
			return enqueued, err
		}
	}
}

// tickOnce moves up to tickBatch due schedules on, in one transaction,
// and says how many runs it enqueued and how many schedules it took.
func (s *Service) tickOnce(ctx context.Context, now time.Time) (enqueued, taken int, err error) {
	err = s.db.Tx(ctx, db.System("schedules: enqueue the due periods of every tenant's schedules"), func(ctx context.Context, tx db.Tx) error {
		type due struct {
			ID, TenantID, ListID uuid.UUID
			Every, Cron, Zone    string
			NextRunAt            time.Time
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, tenant_id, list_id, every, cron, time_zone, next_run_at FROM list_schedules
			WHERE NOT paused AND next_run_at <= ? ORDER BY next_run_at LIMIT ? FOR UPDATE SKIP LOCKED`, now, tickBatch)
		if err != nil {
			return err
		}
		var todo []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.ID, &d.TenantID, &d.ListID, &d.Every, &d.Cron, &d.Zone, &d.NextRunAt); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		taken = len(todo)
		for _, d := range todo {
			// The stored expression parsed when it was saved; were it
			// ever unreadable, the schedule pauses rather than stalling
			// every tick.
			var next *time.Time
			if sp, err := parseSpec("cron", d.Cron, d.Zone); err == nil {
				n := sp.next(now)
				next = &n
			}
			if _, err := tx.ExecContext(ctx, `UPDATE list_schedules SET next_run_at = ?, paused = ? IS NULL WHERE id = ?`, next, next, d.ID); err != nil {
				return err
			}
			period, id := d.NextRunAt.UTC(), d.ID
			if _, ok, err := s.insertRun(ctx, tx, d.TenantID, d.ListID, &id, &period); err != nil {
				return err
			} else if ok {
				enqueued++
			}
		}
		return nil
	})
	return enqueued, taken, err
}
