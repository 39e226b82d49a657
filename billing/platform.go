package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/safetext"
)

// What a platform admin changes: the plans' rows, and one tenant's
// override. Both are audited with before and after.

// Audit actions of the platform's billing changes.
const (
	AuditPlanChanged     = "plan.changed"
	AuditOverrideSet     = "plan.override_set"
	AuditOverrideCleared = "plan.override_cleared"
)

// PlanError refuses a plan's or an override's value: Field names it.
type PlanError struct {
	Field, Reason string
}

func (e *PlanError) Error() string { return e.Field + ": " + e.Reason }

// ErrPlanInput matches every *PlanError.
var ErrPlanInput = errors.New("invalid plan")

// Is makes errors.Is(err, ErrPlanInput) true.
func (e *PlanError) Is(target error) bool { return target == ErrPlanInput }

// MaxRatePerMinute bounds a plan's (and an override's) rate limit. The
// per-key buckets (go-limiter's memory store) refill interval/tokens
// tokens a minute, which is the rate itself only up to about 245,000 a
// minute: a higher rate would be held to far less after its first minute.
const MaxRatePerMinute = 200_000

// checkLimits refuses limits a plan cannot hold together: each at least
// 1, the included use within the ceiling, a list no bigger than a month
// (every list a plan allows must fit it) and a rate the limiter can keep.
func checkLimits(p Plan) error {
	for _, f := range []struct {
		name string
		v    int
	}{{"daily_limit", p.DailyLimit}, {"monthly_included", p.MonthlyIncluded}, {"monthly_limit", p.MonthlyLimit},
		{"rate_per_minute", p.RatePerMinute}, {"max_list_rows", p.MaxListRows}} {
		if f.v < 1 {
			return &PlanError{f.name, "must be at least 1"}
		}
	}
	switch {
	case p.RatePerMinute > MaxRatePerMinute:
		return &PlanError{"rate_per_minute", fmt.Sprintf("must be at most %d", MaxRatePerMinute)}
	case p.MonthlyIncluded > p.MonthlyLimit:
		return &PlanError{"monthly_included", fmt.Sprintf("must be at most the monthly limit (%d)", p.MonthlyLimit)}
	case p.MaxListRows > p.MonthlyLimit:
		return &PlanError{"max_list_rows", fmt.Sprintf("must be at most the monthly limit (%d): every list a plan allows must fit its month", p.MonthlyLimit)}
	}
	return nil
}

// UpdatePlan changes a plan's name, prices and limits. Tenants on it see
// the new limits within planMemory. Prices here are what the pages show;
// what Stripe charges is its price's (STRIPE_PRICE_*), changed there.
func (s *Service) UpdatePlan(ctx context.Context, p Plan, by actor.Actor) (Plan, error) {
	if err := by.RequirePlatform(); err != nil {
		return Plan{}, err
	}
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case p.Name == "" || utf8.RuneCountInString(p.Name) > 50 || safetext.HasControl(p.Name):
		return Plan{}, &PlanError{"name", "use 1 to 50 characters and no control characters"}
	case p.PriceCents < 0:
		return Plan{}, &PlanError{"price_cents", "must not be negative"}
	case p.OverageCentsPer1000 < 0:
		return Plan{}, &PlanError{"overage_cents_per_1000", "must not be negative"}
	}
	if err := checkLimits(p); err != nil {
		return Plan{}, err
	}
	err := s.db.Tx(ctx, db.System("platform admin: edit a plan"), func(ctx context.Context, tx db.Tx) error {
		before, err := scanPlan(sqlTx(tx).QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = $1 FOR UPDATE`, p.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := sqlTx(tx).ExecContext(ctx, `UPDATE plans SET name = $2, price_cents = $3, overage_cents_per_1000 = $4, daily_limit = $5,
				monthly_included = $6, monthly_limit = $7, rate_per_minute = $8, max_list_rows = $9 WHERE id = $1`,
			p.ID, p.Name, p.PriceCents, p.OverageCentsPer1000, p.DailyLimit, p.MonthlyIncluded, p.MonthlyLimit, p.RatePerMinute, p.MaxListRows); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, by, AuditPlanChanged, "plan", p.ID, map[string]any{"before": before, "after": p})
	})
	return p, err
}

// Override is a platform admin's change of one tenant's plan: PlanID
// (empty: the subscription's) and any limit set (0: the plan's), with a
// note, until EndsAt (nil: until cleared; a trial's end).
type Override struct {
	PlanID          string     `json:"plan_id,omitempty"`
	DailyLimit      int        `json:"daily_limit,omitempty"`
	MonthlyIncluded int        `json:"monthly_included,omitempty"`
	MonthlyLimit    int        `json:"monthly_limit,omitempty"`
	RatePerMinute   int        `json:"rate_per_minute,omitempty"`
	MaxListRows     int        `json:"max_list_rows,omitempty"`
	Note            string     `json:"note"`
	EndsAt          *time.Time `json:"ends_at,omitempty"`
}

// nullInt stores 0 as NULL: the plan's own limit.
func nullInt(v int) any {
	if v <= 0 {
		return nil
	}
	return v
}

// SetOverride sets (or replaces) the tenant's override, refusing one
// whose limits do not hold together with its plan's. It applies within
// planMemory, at once in this process.
func (s *Service) SetOverride(ctx context.Context, tenantID uuid.UUID, o Override, by actor.Actor) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	o.Note = strings.TrimSpace(o.Note)
	switch {
	case o.Note == "" || utf8.RuneCountInString(o.Note) > 500 || safetext.HasControl(o.Note):
		return &PlanError{"note", "say why, in 1 to 500 characters: it is kept with the override"}
	case o.EndsAt != nil && !o.EndsAt.After(s.now()):
		return &PlanError{"ends_at", "must be in the future"}
	}
	for _, v := range []struct {
		name string
		v    int
	}{{"daily_limit", o.DailyLimit}, {"monthly_included", o.MonthlyIncluded}, {"monthly_limit", o.MonthlyLimit},
		{"rate_per_minute", o.RatePerMinute}, {"max_list_rows", o.MaxListRows}} {
		if v.v < 0 {
			return &PlanError{v.name, "must be at least 1, or empty for the plan's"}
		}
	}
	if o.RatePerMinute > MaxRatePerMinute {
		return &PlanError{"rate_per_minute", fmt.Sprintf("must be at most %d", MaxRatePerMinute)}
	}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		stx := sqlTx(tx)
		var exists bool
		if err := stx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1)`, tenantID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return ErrNotFound
		}
		base, err := planFor(ctx, stx, tenantID, s.grace)
		if err != nil {
			return err
		}
		if o.PlanID != "" {
			if base, err = plan(ctx, stx, o.PlanID); errors.Is(err, sql.ErrNoRows) {
				return &PlanError{"plan_id", "no such plan"}
			} else if err != nil {
				return err
			}
		}
		eff := base
		for _, f := range []struct {
			dst *int
			v   int
		}{{&eff.DailyLimit, o.DailyLimit}, {&eff.MonthlyIncluded, o.MonthlyIncluded}, {&eff.MonthlyLimit, o.MonthlyLimit},
			{&eff.RatePerMinute, o.RatePerMinute}, {&eff.MaxListRows, o.MaxListRows}} {
			if f.v > 0 {
				*f.dst = f.v
			}
		}
		if err := checkLimits(eff); err != nil {
			return err
		}
		var createdBy any
		if by.UserID != uuid.Nil {
			createdBy = by.UserID
		}
		if _, err := stx.ExecContext(ctx, `INSERT INTO plan_overrides (tenant_id, plan_id, daily_limit, monthly_included, monthly_limit,
				rate_per_minute, max_list_rows, note, ends_at, created_by) VALUES ($1, nullif($2, ''), $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (tenant_id) DO UPDATE SET plan_id = EXCLUDED.plan_id, daily_limit = EXCLUDED.daily_limit,
				monthly_included = EXCLUDED.monthly_included, monthly_limit = EXCLUDED.monthly_limit, rate_per_minute = EXCLUDED.rate_per_minute,
				max_list_rows = EXCLUDED.max_list_rows, note = EXCLUDED.note, ends_at = EXCLUDED.ends_at, created_by = EXCLUDED.created_by,
				created_at = now()`,
			tenantID, o.PlanID, nullInt(o.DailyLimit), nullInt(o.MonthlyIncluded), nullInt(o.MonthlyLimit), nullInt(o.RatePerMinute),
			nullInt(o.MaxListRows), o.Note, o.EndsAt, createdBy); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditOverrideSet, "tenant", tenantID.String(), map[string]any{"override": o, "before": base, "after": eff})
	})
	s.ForgetPlan(tenantID)
	return err
}

// ClearOverride removes the tenant's override: its subscription's plan
// applies again.
func (s *Service) ClearOverride(ctx context.Context, tenantID uuid.UUID, by actor.Actor) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		res, err := sqlTx(tx).ExecContext(ctx, `DELETE FROM plan_overrides WHERE tenant_id = $1`, tenantID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, tenantID, by, AuditOverrideCleared, "tenant", tenantID.String(), nil)
	})
	s.ForgetPlan(tenantID)
	return err
}

// OverrideOf is the tenant's override in force, if any.
func (s *Service) OverrideOf(ctx context.Context, tenantID uuid.UUID) (*Override, error) {
	var o *Override
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var v Override
		var d, mi, ml, r, lr sql.NullInt64
		err := sqlTx(tx).QueryRowContext(ctx, `SELECT coalesce(plan_id, ''), daily_limit, monthly_included, monthly_limit, rate_per_minute,
				max_list_rows, note, ends_at FROM plan_overrides WHERE tenant_id = $1 AND (ends_at IS NULL OR ends_at > now())`, tenantID).
			Scan(&v.PlanID, &d, &mi, &ml, &r, &lr, &v.Note, &v.EndsAt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		v.DailyLimit, v.MonthlyIncluded, v.MonthlyLimit, v.RatePerMinute, v.MaxListRows = int(d.Int64), int(mi.Int64), int(ml.Int64), int(r.Int64), int(lr.Int64)
		o = &v
		return nil
	})
	return o, err
}
