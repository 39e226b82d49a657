package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"mailvet/mail"
)

// Quota is a tenant's position against its plan after a call.
type Quota struct {
	Plan             string `json:"plan"`
	PlanName         string `json:"-"` // for pages: "Basic"
	DayUsed          int    `json:"day_used"`
	DayLimit         int    `json:"day_limit"`
	MonthUsed        int    `json:"month_used"`
	MonthIncluded    int    `json:"month_included"`
	MonthLimit       int    `json:"month_limit"`
	DayRemaining     int    `json:"day_remaining"`
	MonthRemaining   int    `json:"month_remaining"`
	RatePerMinute    int    `json:"rate_per_minute"`
	OverageThisMonth int    `json:"overage_this_month"`
}

// planQuota is a quota with plan's limits and nothing used yet.
func planQuota(plan Plan) Quota {
	return Quota{Plan: plan.ID, PlanName: plan.Name, DayLimit: plan.DailyLimit, MonthIncluded: plan.MonthlyIncluded,
		MonthLimit: plan.MonthlyLimit, RatePerMinute: plan.RatePerMinute}
}

func (q *Quota) derive() {
	q.DayRemaining = max(q.DayLimit-q.DayUsed, 0)
	q.MonthRemaining = max(q.MonthLimit-q.MonthUsed, 0)
	q.OverageThisMonth = max(q.MonthUsed-q.MonthIncluded, 0)
}

// ExceededError says a request does not fit, with the numbers.
type ExceededError struct {
	Scope  string // "daily", "monthly", "key daily", "key monthly"
	Needed int
	Left   int
	Limit  int
}

func (e *ExceededError) Error() string {
	period := map[string]string{"daily": "today", "monthly": "this month", "key daily": "today on this key", "key monthly": "this month on this key"}[e.Scope]
	return english().Sprintf("needs %d, %d left %s (limit %d)", e.Needed, e.Left, period, e.Limit)
}

// ErrQuotaExceeded matches every *ExceededError with errors.Is.
var ErrQuotaExceeded = errors.New("quota exceeded")

// Is makes errors.Is(err, ErrQuotaExceeded) true.
func (e *ExceededError) Is(target error) bool { return target == ErrQuotaExceeded }

// KeyLimits are an API key's own, lower limits (nil: the plan's).
type KeyLimits struct {
	Daily   *int
	Monthly *int
}

// Consume counts n verifications against the tenant (and the key, when
// given) if they fit, in tx. Each counter is checked and incremented by a
// single statement, so any number of processes count exactly; the caller's
// transaction makes the two counters move together.
func (s *Service) Consume(ctx context.Context, tx *sql.Tx, tenantID, keyID uuid.UUID, keyLimits KeyLimits, n int) (Quota, error) {
	plan, err := planFor(ctx, tx, tenantID, s.grace)
	if err != nil {
		return Quota{}, err
	}
	q := planQuota(plan)
	day, month := periods(s.now())
	err = tx.QueryRowContext(ctx, takeSQL("quota_usage", "tenant_id", "tenant_id", "$1"),
		tenantID, day, n, month, plan.DailyLimit, plan.MonthlyLimit).Scan(&q.DayUsed, &q.MonthUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return q, s.exceeded(ctx, tx, tenantID, q, n)
	}
	if err != nil {
		return q, err
	}
	if keyID != uuid.Nil && (keyLimits.Daily != nil || keyLimits.Monthly != nil) {
		if err := s.consumeKey(ctx, tx, tenantID, keyID, keyLimits, n, day, month); err != nil {
			return q, err
		}
	}
	q.derive()
	if err := s.notifyThresholds(ctx, tx, tenantID, q, n, month); err != nil {
		return q, err
	}
	return q, nil
}

// takeSQL is the one statement that counts n ($3) against a counter row
// of table, keyed by conflictColumn, for day $2 and month $4, only if the
// day stays within $5 and the month within $6; it returns no row when
// they would not. A row last moved in an earlier day or month starts that
// period again from 0. insertColumns/insertValues name the row's own
// columns for its first insert.
func takeSQL(table, conflictColumn, insertColumns, insertValues string) string {
	return `INSERT INTO ` + table + ` AS c (` + insertColumns + `, day, day_used, month, month_used)
		SELECT ` + insertValues + `, $2::date, $3::int, $4::date, $3::int WHERE $3::int <= $5::int AND $3::int <= $6::int
		ON CONFLICT (` + conflictColumn + `) DO UPDATE SET
			day_used = CASE WHEN c.day = EXCLUDED.day THEN c.day_used ELSE 0 END + EXCLUDED.day_used,
			month_used = CASE WHEN c.month = EXCLUDED.month THEN c.month_used ELSE 0 END + EXCLUDED.month_used,
			day = EXCLUDED.day, month = EXCLUDED.month
		WHERE (CASE WHEN c.day = EXCLUDED.day THEN c.day_used ELSE 0 END) + EXCLUDED.day_used <= $5::int
		  AND (CASE WHEN c.month = EXCLUDED.month THEN c.month_used ELSE 0 END) + EXCLUDED.month_used <= $6::int
		RETURNING day_used, month_used`
}

// Unlimited stands for "no limit" where a count is compared: the largest
// value the counters' integer columns hold.
const Unlimited = math.MaxInt32

func (s *Service) consumeKey(ctx context.Context, tx *sql.Tx, tenantID, keyID uuid.UUID, lim KeyLimits, n int, day, month time.Time) error {
	daily, monthly := Unlimited, Unlimited
	if lim.Daily != nil {
		daily = *lim.Daily
	}
	if lim.Monthly != nil {
		monthly = *lim.Monthly
	}
	var dayUsed, monthUsed int
	err := tx.QueryRowContext(ctx, takeSQL("key_usage", "api_key_id", "api_key_id, tenant_id", "$1, $7"),
		keyID, day, n, month, daily, monthly, tenantID).Scan(&dayUsed, &monthUsed)
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// Does not fit: say which limit, with the numbers.
	dayUsed, monthUsed, _ = usedIn(ctx, tx, keyCounter, keyID, day, month)
	if lim.Daily != nil && dayUsed+n > daily {
		return &ExceededError{Scope: "key daily", Needed: n, Left: max(daily-dayUsed, 0), Limit: daily}
	}
	return &ExceededError{Scope: "key monthly", Needed: n, Left: max(monthly-monthUsed, 0), Limit: monthly}
}

// exceeded builds the error for a tenant whose counters had no room.
func (s *Service) exceeded(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, q Quota, n int) error {
	day, month := periods(s.now())
	q.DayUsed, q.MonthUsed, _ = usedIn(ctx, tx, tenantCounter, tenantID, day, month)
	if q.MonthUsed+n > q.MonthLimit {
		return &ExceededError{Scope: "monthly", Needed: n, Left: max(q.MonthLimit-q.MonthUsed, 0), Limit: q.MonthLimit}
	}
	return &ExceededError{Scope: "daily", Needed: n, Left: max(q.DayLimit-q.DayUsed, 0), Limit: q.DayLimit}
}

// Refund gives back n units counted this month (a cancelled list's
// unverified rows).
func (s *Service) Refund(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, n int) error {
	if n <= 0 {
		return nil
	}
	day, month := periods(s.now())
	_, err := tx.ExecContext(ctx, `UPDATE quota_usage SET
			month_used = CASE WHEN month = $3::date THEN greatest(month_used - $4::int, 0) ELSE month_used END,
			day_used = CASE WHEN day = $2::date THEN greatest(day_used - $4::int, 0) ELSE day_used END
		WHERE tenant_id = $1`, tenantID, day, month, n)
	return err
}

// RecentUsage is Usage, reused for up to a second: for quota headers on
// responses that counted nothing.
func (s *Service) RecentUsage(ctx context.Context, tenantID uuid.UUID) (Quota, error) {
	if q, ok := s.usage.Get(tenantID); ok {
		return q, nil
	}
	q, err := s.Usage(ctx, tenantID)
	if err != nil {
		return q, err
	}
	s.usage.Put(tenantID, q)
	return q, nil
}

// Usage returns a tenant's quota position without counting anything.
func (s *Service) Usage(ctx context.Context, tenantID uuid.UUID) (Quota, error) {
	plan, err := s.PlanFor(ctx, tenantID)
	if err != nil {
		return Quota{}, err
	}
	q := planQuota(plan)
	day, month := periods(s.now())
	if q.DayUsed, q.MonthUsed, err = usedIn(ctx, s.db, tenantCounter, tenantID, day, month); err != nil {
		return q, err
	}
	q.derive()
	return q, nil
}

// notifyThresholds mails the owners once when monthly use of the included
// amount crosses 80% and once when it reaches 100%.
func (s *Service) notifyThresholds(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, q Quota, n int, month time.Time) error {
	before := (q.MonthUsed - n) * 100 / q.MonthIncluded
	after := q.MonthUsed * 100 / q.MonthIncluded
	threshold := 0
	switch {
	case before < 100 && after >= 100:
		threshold = 100
	case before < 80 && after >= 80:
		threshold = 80
	default:
		return nil
	}
	res, err := tx.ExecContext(ctx, `UPDATE quota_usage SET notified_month = $2, notified_pct = $3
		WHERE tenant_id = $1 AND (notified_month IS DISTINCT FROM $2 OR notified_pct < $3)`, tenantID, month, threshold)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 || s.mail == nil {
		return nil // already told this month
	}
	rows, err := tx.QueryContext(ctx, `SELECT u.email, t.name FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
		WHERE m.tenant_id = $1 AND m.role = 'owner'`, tenantID)
	if err != nil {
		return err
	}
	type owner struct{ email, tenant string }
	var owners []owner
	for rows.Next() {
		var o owner
		if err := rows.Scan(&o.email, &o.tenant); err != nil {
			rows.Close()
			return err
		}
		owners = append(owners, o)
	}
	rows.Close()
	for _, o := range owners {
		msg := mail.Message{
			To:      o.email,
			Subject: fmt.Sprintf("%s has used %d%% of its monthly verifications", o.tenant, threshold),
			Text: english().Sprintf("%s has used %d of the %d verifications included this month (%d%%).\n\nSee usage and upgrade options: %s\n",
				o.tenant, q.MonthUsed, q.MonthIncluded, after, s.link("/billing")),
		}
		if err := s.mail.Enqueue(ctx, tx, msg); err != nil {
			return err
		}
	}
	return nil
}

// The two counter tables: one row per tenant, one per API key with its
// own limits.
const (
	tenantCounter = "SELECT day, day_used, month, month_used FROM quota_usage WHERE tenant_id = $1"
	keyCounter    = "SELECT day, day_used, month, month_used FROM key_usage WHERE api_key_id = $1"
)

// usedIn reads a counter's use in the given day and month: a counter last
// moved in an earlier period stands at 0 for this one.
func usedIn(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, counter string, id uuid.UUID, day, month time.Time) (dayUsed, monthUsed int, err error) {
	var d, m time.Time
	var du, mu int
	err = q.QueryRowContext(ctx, counter, id).Scan(&d, &du, &m, &mu)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	if d.Equal(day) {
		dayUsed = du
	}
	if m.Equal(month) {
		monthUsed = mu
	}
	return dayUsed, monthUsed, nil
}

// periods are the UTC day and calendar month usage is counted in.
func periods(now time.Time) (day, month time.Time) {
	now = now.UTC()
	day = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	month = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	return day, month
}

// english formats numbers as people read them here: 12,000.
func english() *message.Printer { return message.NewPrinter(language.English) }
