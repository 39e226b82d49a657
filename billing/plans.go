// Package billing owns plans, subscriptions and quotas: what each tenant
// may use, counted exactly across every process in PostgreSQL.
//
// Every statement goes through db.Tx: a tenant's transaction for its own
// rows, the named system path for Stripe look-ups by customer id, webhook
// de-duplication and sweeps. The statements are written one way: plain SQL
// with $n bind parameters on the transaction's *sql.Tx (sqlTx). The
// counting statements run on every live verification, and bind parameters
// let each connection prepare them once, where bun would inline the values
// into a new statement text each time; the rest of the package writes SQL
// the same way so that a store has one idiom.
package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/mail"
	"mailvet/memo"
)

// Plan is a row of the plans table: names, prices and limits live there,
// not in code.
type Plan struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	PriceCents          int    `json:"price_cents"`
	OverageCentsPer1000 int    `json:"overage_cents_per_1000"`
	DailyLimit          int    `json:"daily_limit"`
	MonthlyIncluded     int    `json:"monthly_included"`
	MonthlyLimit        int    `json:"monthly_limit"`
	RatePerMinute       int    `json:"rate_per_minute"`
	MaxListRows         int    `json:"max_list_rows"`
	// MinScheduleInterval is how often, at most, a list's schedule may
	// re-verify it (seconds).
	MinScheduleInterval int `json:"min_schedule_interval_seconds"`
}

// FreePlan is the plan of tenants without a (valid) subscription.
const FreePlan = "free"

// Service reads plans and counts usage.
type Service struct {
	db    *db.DB
	mail  *mail.Queue
	grace time.Duration
	link  func(path string) string
	now   func() time.Time

	// Every API request needs its tenant's plan (for the rate limit); a
	// short per-process memory saves that query. Plan changes show within
	// planMemory everywhere, at once in the process that made them.
	plans *memo.Map[uuid.UUID, Plan]
	// Quota figures for responses that counted nothing (cache hits, reads)
	// may lag by usageMemory; every counting call reports exact figures.
	usage *memo.Map[uuid.UUID, Quota]

	events Events // nil: no webhook events
}

const (
	planMemory  = 5 * time.Second // how long a tenant's plan is reused before asking again
	usageMemory = time.Second
	// memoryTenants bounds each memory; a process serving more tenants
	// than this asks again.
	memoryTenants = 100_000
)

// NewService returns a Service. grace is how long a past-due subscription
// keeps its plan before the tenant falls back to free; link makes absolute
// URLs for mails.
func NewService(d *db.DB, mailQueue *mail.Queue, grace time.Duration, link func(path string) string) *Service {
	if grace <= 0 {
		grace = 7 * 24 * time.Hour
	}
	return &Service{db: d, mail: mailQueue, grace: grace, link: link, now: time.Now,
		plans: memo.New[uuid.UUID, Plan](planMemory, memoryTenants), usage: memo.New[uuid.UUID, Quota](usageMemory, memoryTenants)}
}

const planColumns = `p.id, p.name, p.price_cents, p.overage_cents_per_1000, p.daily_limit, p.monthly_included, p.monthly_limit, p.rate_per_minute, p.max_list_rows, p.min_schedule_interval_seconds`

func scanPlan(row interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	err := row.Scan(&p.ID, &p.Name, &p.PriceCents, &p.OverageCentsPer1000, &p.DailyLimit, &p.MonthlyIncluded, &p.MonthlyLimit, &p.RatePerMinute, &p.MaxListRows, &p.MinScheduleInterval)
	return p, err
}

// sqlTx is the transaction's database/sql side, which sends $n bind
// parameters as they are (see the package comment).
func sqlTx(tx db.Tx) *sql.Tx { return tx.Tx.Tx }

// Plans lists every plan, cheapest first.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	var out []Plan
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		rows, err := sqlTx(tx).QueryContext(ctx, `SELECT `+planColumns+` FROM plans p ORDER BY p.sort, p.price_cents`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			p, err := scanPlan(rows)
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}

// PlanFor returns the plan a tenant is on now: its subscription's while
// active (or past due within the grace period), else the free plan.
func (s *Service) PlanFor(ctx context.Context, tenantID uuid.UUID) (Plan, error) {
	if p, ok := s.plans.Get(tenantID); ok {
		return p, nil
	}
	var p Plan
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		p, err = planFor(ctx, sqlTx(tx), tenantID, s.grace)
		return err
	})
	if err != nil {
		return p, err
	}
	s.plans.Put(tenantID, p)
	return p, nil
}

// ForgetPlan drops the remembered plan of a tenant whose subscription
// changed, so this process sees the change at once.
func (s *Service) ForgetPlan(tenantID uuid.UUID) {
	s.plans.Forget(tenantID)
	s.usage.Forget(tenantID)
}

// planFor reads the plan in force, in a transaction of the tenant: a
// platform admin's override while it lasts (its plan, and each limit it
// sets), else the subscription's plan, else the free plan.
func planFor(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, grace time.Duration) (Plan, error) {
	row := tx.QueryRowContext(ctx, `SELECT p.id, p.name, p.price_cents, p.overage_cents_per_1000,
			coalesce(o.daily_limit, p.daily_limit), coalesce(o.monthly_included, p.monthly_included), coalesce(o.monthly_limit, p.monthly_limit),
			coalesce(o.rate_per_minute, p.rate_per_minute), coalesce(o.max_list_rows, p.max_list_rows), p.min_schedule_interval_seconds
		FROM plans p LEFT JOIN plan_overrides o ON o.tenant_id = $1 AND (o.ends_at IS NULL OR o.ends_at > now())
		WHERE p.id = coalesce(o.plan_id, (
			SELECT s.plan_id FROM subscriptions s WHERE s.tenant_id = $1
			  AND (s.status IN ('active', 'trialing') OR (s.status = 'past_due' AND s.past_due_since > now() - make_interval(secs => $2)))
		), $3)`, tenantID, grace.Seconds(), FreePlan)
	p, err := scanPlan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("plan %q missing from the plans table", FreePlan)
	}
	return p, err
}
