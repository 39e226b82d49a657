package schedules

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/lists"
)

// Input is a schedule as asked for: every is daily, weekly, monthly or
// cron (then Cron is the expression); an empty TimeZone is the
// workspace's.
type Input struct {
	Every    string
	Cron     string
	TimeZone string
	Paused   bool
}

// ErrInvalidEvery: every is none of daily, weekly, monthly, cron.
var ErrInvalidEvery = errors.New("every must be daily, weekly, monthly or cron")

const scheduleColumns = `id, list_id, every, cron, time_zone, paused, next_run_at, created_at, updated_at`

func scanSchedule(row interface{ Scan(...any) error }) (Schedule, error) {
	var s Schedule
	err := row.Scan(&s.ID, &s.ListID, &s.Every, &s.Cron, &s.TimeZone, &s.Paused, &s.NextRunAt, &s.CreatedAt, &s.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// Put sets a list's schedule (an admin's or an owner's call: it spends
// quota every period), replacing any it had, and computes its next run.
// A refused schedule changes nothing.
func (s *Service) Put(ctx context.Context, tenantID, listID uuid.UUID, in Input, by actor.Actor) (Schedule, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return Schedule{}, err
	}
	if _, ok := presets[in.Every]; !ok && in.Every != "cron" {
		return Schedule{}, ErrInvalidEvery
	}
	plan, err := s.plans.PlanFor(ctx, tenantID)
	if err != nil {
		return Schedule{}, err
	}
	var out Schedule
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if _, err := lists.GetInTx(ctx, tx, tenantID, listID, by.TestMode); err != nil {
			return err
		}
		zone := in.TimeZone
		if zone == "" {
			if err := tx.QueryRowContext(ctx, `SELECT time_zone FROM tenants WHERE id = ?`, tenantID).Scan(&zone); err != nil {
				return err
			}
		}
		sp, err := parseSpec(in.Every, in.Cron, zone)
		if err != nil {
			return err
		}
		now := s.now()
		minimum := time.Duration(plan.MinScheduleInterval) * time.Second
		if gap := sp.shortestGap(now, minimum); gap < minimum {
			return &TooFrequentError{Plan: plan.Name, Interval: gap, Minimum: minimum}
		}
		var next *time.Time
		if !in.Paused {
			n := sp.next(now)
			next = &n
		}
		out, err = scanSchedule(tx.QueryRowContext(ctx, `INSERT INTO list_schedules (id, tenant_id, list_id, every, cron, time_zone, paused, next_run_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant_id, list_id) DO UPDATE SET every = EXCLUDED.every, cron = EXCLUDED.cron, time_zone = EXCLUDED.time_zone,
				paused = EXCLUDED.paused, next_run_at = EXCLUDED.next_run_at, updated_at = now()
			RETURNING `+scheduleColumns, uuid.New(), tenantID, listID, in.Every, sp.expr, zone, in.Paused, next))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditSet, auditTarget, listID.String(),
			map[string]any{"every": out.Every, "cron": out.Cron, "time_zone": out.TimeZone, "paused": out.Paused})
	})
	return out, err
}

// Get returns a list's schedule.
func (s *Service) Get(ctx context.Context, tenantID, listID uuid.UUID, by actor.Actor) (Schedule, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return Schedule{}, err
	}
	var out Schedule
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if _, err := lists.GetInTx(ctx, tx, tenantID, listID, by.TestMode); err != nil {
			return err
		}
		var err error
		out, err = scanSchedule(tx.QueryRowContext(ctx, `SELECT `+scheduleColumns+` FROM list_schedules WHERE tenant_id = ? AND list_id = ?`, tenantID, listID))
		return err
	})
	return out, err
}

// Delete removes a list's schedule; its past runs stay in the history.
func (s *Service) Delete(ctx context.Context, tenantID, listID uuid.UUID, by actor.Actor) error {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if _, err := lists.GetInTx(ctx, tx, tenantID, listID, by.TestMode); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM list_schedules WHERE tenant_id = ? AND list_id = ?`, tenantID, listID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit.Record(ctx, tx, tenantID, by, AuditDeleted, auditTarget, listID.String(), nil)
	})
}
