package billing

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"mailvet/db"
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

// Consume counts n real-time verifications (the API's, the dashboard's)
// against the tenant (and the key, when given) if they fit both the day's
// and the month's limits, in tx, a transaction of the tenant. Each counter
// is checked and incremented by a single statement, so any number of
// processes count exactly; the caller's transaction makes the two counters
// move together with the work they pay for (a rollback charges nothing).
func (s *Service) Consume(ctx context.Context, tx db.Tx, tenantID, keyID uuid.UUID, keyLimits KeyLimits, n int) (Quota, error) {
	return s.consume(ctx, tx, tenantID, keyID, keyLimits, charge{day: n, month: n})
}

// ConsumeList counts a list's n addresses against the month alone, as
// Consume does otherwise. Daily limits pace real-time calls: a list counts
// against the monthly allowance only, so every list a plan allows (its
// max_list_rows, which the plans table keeps within its monthly_limit)
// is accepted whole on a fresh month and completes without waiting for
// another day. Daily limits still say how much of a month one day of
// real-time calls may take.
func (s *Service) ConsumeList(ctx context.Context, tx db.Tx, tenantID, keyID uuid.UUID, keyLimits KeyLimits, n int) (Quota, error) {
	return s.consume(ctx, tx, tenantID, keyID, keyLimits, charge{day: 0, month: n})
}

// charge is what one call counts in each period.
type charge struct{ day, month int }

func (s *Service) consume(ctx context.Context, tx db.Tx, tenantID, keyID uuid.UUID, keyLimits KeyLimits, c charge) (Quota, error) {
	stx := sqlTx(tx)
	plan, err := planFor(ctx, stx, tenantID, s.grace)
	if err != nil {
		return Quota{}, err
	}
	q := planQuota(plan)
	day, month := periods(s.now())
	err = stx.QueryRowContext(ctx, takeSQL("quota_usage", "tenant_id", "tenant_id", "$1"),
		tenantID, day, c.day, month, c.month, plan.DailyLimit, plan.MonthlyLimit).Scan(&q.DayUsed, &q.MonthUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return q, s.exceeded(ctx, stx, tenantID, q, c)
	}
	if err != nil {
		return q, err
	}
	if keyID != uuid.Nil && (keyLimits.Daily != nil || keyLimits.Monthly != nil) {
		if err := s.consumeKey(ctx, stx, tenantID, keyID, keyLimits, c, day, month); err != nil {
			return q, err
		}
	}
	q.derive()
	if err := s.notifyThresholds(ctx, tx, tenantID, q, c.month, month); err != nil {
		return q, err
	}
	return q, nil
}

// takeSQL is the one statement that counts $3 against the day $2 and $5
// against the month $4 of a counter row of table, keyed by
// conflictColumn, only if the day stays within $6 and the month within
// $7; it returns no row when they would not. A row last moved in an
// earlier day or month starts that period again from 0. insertColumns/
// insertValues name the row's own columns for its first insert, tenant_id
// among them: the update branch touches only a row of that same tenant (a
// key id alone never moves another tenant's counter).
func takeSQL(table, conflictColumn, insertColumns, insertValues string) string {
	return `INSERT INTO ` + table + ` AS c (` + insertColumns + `, day, day_used, month, month_used)
		SELECT ` + insertValues + `, $2::date, $3::int, $4::date, $5::int WHERE $3::int <= $6::int AND $5::int <= $7::int
		ON CONFLICT (` + conflictColumn + `) DO UPDATE SET
			day_used = CASE WHEN c.day = EXCLUDED.day THEN c.day_used ELSE 0 END + EXCLUDED.day_used,
			month_used = CASE WHEN c.month = EXCLUDED.month THEN c.month_used ELSE 0 END + EXCLUDED.month_used,
			day = EXCLUDED.day, month = EXCLUDED.month
		WHERE c.tenant_id = EXCLUDED.tenant_id
		  AND (CASE WHEN c.day = EXCLUDED.day THEN c.day_used ELSE 0 END) + EXCLUDED.day_used <= $6::int
		  AND (CASE WHEN c.month = EXCLUDED.month THEN c.month_used ELSE 0 END) + EXCLUDED.month_used <= $7::int
		RETURNING day_used, month_used`
}

// Unlimited stands for "no limit" where a count is compared: the largest
// value the counters' integer columns hold.
const Unlimited = math.MaxInt32

func (s *Service) consumeKey(ctx context.Context, tx *sql.Tx, tenantID, keyID uuid.UUID, lim KeyLimits, c charge, day, month time.Time) error {
	daily, monthly := keyCeilings(lim)
	var dayUsed, monthUsed int
	err := tx.QueryRowContext(ctx, takeSQL("key_usage", "api_key_id", "api_key_id, tenant_id", "$1, $8"),
		keyID, day, c.day, month, c.month, daily, monthly, tenantID).Scan(&dayUsed, &monthUsed)
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// Does not fit: say which limit, with the numbers.
	dayUsed, monthUsed, _ = usedIn(ctx, tx, day, month, keyCounter, tenantID, keyID)
	if err := keyExceeded(lim, c, dayUsed, monthUsed); err != nil {
		return err
	}
	return &ExceededError{Scope: "key monthly", Needed: c.month, Left: max(monthly-monthUsed, 0), Limit: monthly}
}

// Refund gives back n units of a list counted this month (a cancelled
// list's unverified rows, the rows its rules or cache answered for free),
// in tx, a transaction of the tenant. Lists count against the month alone
// (ConsumeList), so only the month gets them back.
func (s *Service) Refund(ctx context.Context, tx db.Tx, tenantID uuid.UUID, n int) error {
	if n <= 0 {
		return nil
	}
	_, month := periods(s.now())
	_, err := sqlTx(tx).ExecContext(ctx, `UPDATE quota_usage SET
			month_used = CASE WHEN month = $2::date THEN greatest(month_used - $3::int, 0) ELSE month_used END
		WHERE tenant_id = $1`, tenantID, month, n)
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
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		q.DayUsed, q.MonthUsed, err = usedIn(ctx, sqlTx(tx), day, month, tenantCounter, tenantID)
		return err
	})
	if err != nil {
		return q, err
	}
	q.derive()
	return q, nil
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
