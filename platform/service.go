package platform

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
)

// ErrNotFound: no such tenant or user.
var ErrNotFound = errors.New("not found")

// Service reads across tenants for the console.
type Service struct {
	db *db.DB
}

// NewService returns a Service.
func NewService(d *db.DB) *Service { return &Service{db: d} }

// read runs fn in a read on the system path, for a platform admin only.
func (s *Service) read(ctx context.Context, by actor.Actor, why string, fn func(ctx context.Context, tx db.Tx) error) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.System("admin console: "+why), fn)
}

// TenantRow is one tenant in the console's list.
type TenantRow struct {
	ID             uuid.UUID `bun:"id"`
	Name           string    `bun:"name"`
	Slug           string    `bun:"slug"`
	Status         string    `bun:"status"`
	CreatedAt      time.Time `bun:"created_at"`
	Plan           string    `bun:"plan"`
	MonthUsed      int       `bun:"month_used"`
	Members        int       `bun:"members"`
	StripeCustomer string    `bun:"stripe_customer"`
}

// Sorts of the tenant list.
const (
	SortCreated = "created" // newest first (the default)
	SortUsage   = "usage"   // most used this month first
	SortPlan    = "plan"    // dearest plan first
)

// TenantQuery finds tenants: Q matches a part of the name or slug, a
// part of a member's email, or a Stripe customer id; empty lists all.
type TenantQuery struct {
	Q      string
	Sort   string
	Limit  int // 1–200, default 50
	Offset int
}

// ErrBadSort: the sort is none of the Sort* values.
var ErrBadSort = errors.New("sort: use created, usage or plan")

// Tenants lists tenants matching q, and whether there are more.
func (s *Service) Tenants(ctx context.Context, q TenantQuery, by actor.Actor) ([]TenantRow, bool, error) {
	order := map[string]string{"": "t.created_at DESC", SortCreated: "t.created_at DESC", SortUsage: "month_used DESC, t.created_at DESC",
		SortPlan: "p.sort DESC, t.created_at DESC"}[q.Sort]
	if order == "" {
		return nil, false, ErrBadSort
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	var rows []TenantRow
	err := s.read(ctx, by, "find tenants", func(ctx context.Context, tx db.Tx) error {
		like := "%" + escapeLike(strings.TrimSpace(q.Q)) + "%"
		return tx.NewRaw(`SELECT t.id, t.name, t.slug, t.status, t.created_at, coalesce(p.name, 'Free') AS plan,
				coalesce(CASE WHEN qu.month = date_trunc('month', now())::date THEN qu.month_used END, 0) AS month_used,
				(SELECT count(*) FROM memberships m WHERE m.tenant_id = t.id) AS members,
				coalesce(sub.stripe_customer_id, '') AS stripe_customer
			FROM tenants t
			LEFT JOIN subscriptions sub ON sub.tenant_id = t.id
			LEFT JOIN plans p ON p.id = coalesce(sub.plan_id, 'free')
			LEFT JOIN quota_usage qu ON qu.tenant_id = t.id
			WHERE ? = '%%' OR t.name ILIKE ? OR t.slug ILIKE ? OR sub.stripe_customer_id = ?
				OR EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = t.id AND u.email ILIKE ?)
			ORDER BY `+order+` LIMIT ? OFFSET ?`,
			like, like, like, strings.TrimSpace(q.Q), like, q.Limit+1, max(q.Offset, 0)).Scan(ctx, &rows)
	})
	if err != nil {
		return nil, false, err
	}
	more := len(rows) > q.Limit
	if more {
		rows = rows[:q.Limit]
	}
	return rows, more, nil
}

// escapeLike makes s match itself in a LIKE pattern.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
