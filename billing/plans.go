// Package billing owns plans, subscriptions and quotas: what each tenant
// may use, counted exactly across every process in PostgreSQL.
package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

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
}

// FreePlan is the plan of tenants without a (valid) subscription.
const FreePlan = "free"

// Service reads plans and counts usage.
type Service struct {
	db    *sql.DB
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
func NewService(db *sql.DB, mailQueue *mail.Queue, grace time.Duration, link func(path string) string) *Service {
	if grace <= 0 {
		grace = 7 * 24 * time.Hour
	}
	return &Service{db: db, mail: mailQueue, grace: grace, link: link, now: time.Now,
		plans: memo.New[uuid.UUID, Plan](planMemory, memoryTenants), usage: memo.New[uuid.UUID, Quota](usageMemory, memoryTenants)}
}

const planColumns = `p.id, p.name, p.price_cents, p.overage_cents_per_1000, p.daily_limit, p.monthly_included, p.monthly_limit, p.rate_per_minute, p.max_list_rows`

func scanPlan(row interface{ Scan(...any) error }) (Plan, error) {
	var p Plan
	err := row.Scan(&p.ID, &p.Name, &p.PriceCents, &p.OverageCentsPer1000, &p.DailyLimit, &p.MonthlyIncluded, &p.MonthlyLimit, &p.RatePerMinute, &p.MaxListRows)
	return p, err
}

// Plans lists every plan, cheapest first.
func (s *Service) Plans(ctx context.Context) ([]Plan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+planColumns+` FROM plans p ORDER BY p.sort, p.price_cents`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Plan
	for rows.Next() {
		p, err := scanPlan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PlanFor returns the plan a tenant is on now: its subscription's while
// active (or past due within the grace period), else the free plan.
func (s *Service) PlanFor(ctx context.Context, tenantID uuid.UUID) (Plan, error) {
	if p, ok := s.plans.Get(tenantID); ok {
		return p, nil
	}
	p, err := planFor(ctx, s.db, tenantID, s.grace)
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

func planFor(ctx context.Context, q querier, tenantID uuid.UUID, grace time.Duration) (Plan, error) {
	row := q.QueryRowContext(ctx, `SELECT `+planColumns+` FROM plans p WHERE p.id = coalesce((
			SELECT s.plan_id FROM subscriptions s WHERE s.tenant_id = $1
			  AND (s.status IN ('active', 'trialing') OR (s.status = 'past_due' AND s.past_due_since > now() - $2::interval))
		), $3)`, tenantID, fmt.Sprintf("%d seconds", int(grace.Seconds())), FreePlan)
	p, err := scanPlan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("plan %q missing from the plans table", FreePlan)
	}
	return p, err
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}
