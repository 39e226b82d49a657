package platform

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
)

// TenantDetail is one tenant's whole picture for the console: never a
// secret (keys and endpoints show their metadata only).
type TenantDetail struct {
	TenantRow
	SuspendedReason    string     `bun:"suspended_reason"`
	SuspendedAt        *time.Time `bun:"suspended_at"`
	SubscriptionStatus string     `bun:"subscription_status"`
	PeriodEnd          *time.Time `bun:"period_end"`
	MonthIncluded      int        `bun:"monthly_included"`
	MonthLimit         int        `bun:"monthly_limit"`

	// Read by queries of their own, not the tenant's row.
	Members   []MemberRow   `bun:"-"`
	Keys      []KeyRow      `bun:"-"`
	Lists     []ListRow     `bun:"-"`
	Endpoints []EndpointRow `bun:"-"`
	Usage     []DayUsage    `bun:"-"` // the last 30 days, oldest first, empty days included
	Audit     []AuditRow    `bun:"-"` // the latest 20 events
}

// MemberRow is a member of the tenant.
type MemberRow struct {
	UserID uuid.UUID `bun:"user_id"`
	Email  string    `bun:"email"`
	Name   string    `bun:"name"`
	Role   string    `bun:"role"`
}

// KeyRow is an API key's metadata.
type KeyRow struct {
	ID         uuid.UUID  `bun:"id"`
	Name       string     `bun:"name"`
	Mode       string     `bun:"mode"`
	Prefix     string     `bun:"prefix"`
	CreatedAt  time.Time  `bun:"created_at"`
	LastUsedAt *time.Time `bun:"last_used_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
}

// ListRow is one of the tenant's latest lists.
type ListRow struct {
	ID        uuid.UUID `bun:"id"`
	Name      string    `bun:"name"`
	Status    string    `bun:"status"`
	TotalRows int       `bun:"total_rows"`
	CreatedAt time.Time `bun:"created_at"`
}

// EndpointRow is a webhook endpoint with its dead letters' count.
type EndpointRow struct {
	ID          uuid.UUID `bun:"id"`
	URL         string    `bun:"url"`
	Enabled     bool      `bun:"enabled"`
	DeadLetters int       `bun:"dead_letters"`
}

// DayUsage is one day's verifications.
type DayUsage struct {
	Day      time.Time `bun:"day"`
	Total    int       `bun:"total"`
	Billable int       `bun:"billable"`
}

// AuditRow is an audit event, as the console lists it.
type AuditRow struct {
	ID         int64     `bun:"id"`
	CreatedAt  time.Time `bun:"created_at"`
	ActorEmail string    `bun:"actor_email"`
	ActorKind  string    `bun:"actor_kind"`
	BySupport  bool      `bun:"by_support"`
	Action     string    `bun:"action"`
	TargetType string    `bun:"target_type"`
	TargetID   string    `bun:"target_id"`
}

// Tenant is one tenant's detail.
func (s *Service) Tenant(ctx context.Context, id uuid.UUID, by actor.Actor) (TenantDetail, error) {
	var d TenantDetail
	err := s.read(ctx, by, "one tenant's detail", func(ctx context.Context, tx db.Tx) error {
		err := tx.NewRaw(`SELECT t.id, t.name, t.slug, t.status, t.created_at, t.suspended_reason, t.suspended_at,
				p.name AS plan, p.monthly_included, p.monthly_limit,
				coalesce(sub.status, 'active') AS subscription_status, sub.current_period_end AS period_end,
				coalesce(sub.stripe_customer_id, '') AS stripe_customer,
				coalesce(CASE WHEN qu.month = date_trunc('month', now())::date THEN qu.month_used END, 0) AS month_used,
				(SELECT count(*) FROM memberships m WHERE m.tenant_id = t.id) AS members
			FROM tenants t
			LEFT JOIN subscriptions sub ON sub.tenant_id = t.id
			JOIN plans p ON p.id = coalesce(sub.plan_id, 'free')
			LEFT JOIN quota_usage qu ON qu.tenant_id = t.id
			WHERE t.id = ?`, id).Scan(ctx, &d)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		for _, q := range []struct {
			dest  any
			query string
		}{
			{&d.Members, `SELECT m.user_id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
				WHERE m.tenant_id = ? ORDER BY m.role = 'owner' DESC, u.email`},
			{&d.Keys, `SELECT id, name, mode, prefix, created_at, last_used_at, revoked_at FROM api_keys
				WHERE tenant_id = ? ORDER BY created_at DESC LIMIT 100`},
			{&d.Lists, `SELECT id, name, status, total_rows, created_at FROM lists WHERE tenant_id = ? ORDER BY created_at DESC LIMIT 20`},
			{&d.Endpoints, `SELECT e.id, e.url, e.enabled,
					(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.state = 'dead') AS dead_letters
				FROM webhook_endpoints e WHERE e.tenant_id = ? ORDER BY e.created_at`},
			{&d.Usage, `SELECT g.day::date AS day, coalesce(sum(u.deliverable + u.undeliverable + u.risky + u.unknown), 0) AS total,
					coalesce(sum(u.billable), 0) AS billable
				FROM generate_series(current_date - 29, current_date, interval '1 day') AS g (day)
				LEFT JOIN usage_daily u ON u.tenant_id = ? AND u.day = g.day::date
				GROUP BY g.day ORDER BY g.day`},
			{&d.Audit, `SELECT id, created_at, actor_email, actor_kind, by_support, action, target_type, target_id FROM audit_events
				WHERE tenant_id = ? ORDER BY created_at DESC, id DESC LIMIT 20`},
		} {
			if err := tx.NewRaw(q.query, id).Scan(ctx, q.dest); err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return nil
	})
	return d, err
}
