package billing

// Reading the counters without moving them: the pre-check before
// expensive work, and the numbers of a refusal.

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
)

// Fits reports whether n more verifications fit the tenant's plan (and the
// key's own limits) now, counting nothing: a cheap check before expensive
// work (an SMTP probe), so that a request over its quota does none. It is
// advice, not a reservation: Consume, in the transaction that records the
// work, decides exactly. The error is an *ExceededError.
func (s *Service) Fits(ctx context.Context, tenantID, keyID uuid.UUID, keyLimits KeyLimits, n int) error {
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		stx := sqlTx(tx)
		plan, ok := s.plans.Get(tenantID)
		if !ok {
			var err error
			if plan, err = planFor(ctx, stx, tenantID, s.grace); err != nil {
				return err
			}
		}
		day, month := periods(s.now())
		q := planQuota(plan)
		var err error
		if q.DayUsed, q.MonthUsed, err = usedIn(ctx, stx, day, month, tenantCounter, tenantID); err != nil {
			return err
		}
		c := charge{day: n, month: n}
		if q.DayUsed+n > q.DayLimit || q.MonthUsed+n > q.MonthLimit {
			return exceededError(q, c)
		}
		if keyID == uuid.Nil || (keyLimits.Daily == nil && keyLimits.Monthly == nil) {
			return nil
		}
		dayUsed, monthUsed, err := usedIn(ctx, stx, day, month, keyCounter, tenantID, keyID)
		if err != nil {
			return err
		}
		return keyExceeded(keyLimits, c, dayUsed, monthUsed)
	})
}

// keyCeilings are a key's limits, Unlimited where it has none.
func keyCeilings(lim KeyLimits) (daily, monthly int) {
	daily, monthly = Unlimited, Unlimited
	if lim.Daily != nil {
		daily = *lim.Daily
	}
	if lim.Monthly != nil {
		monthly = *lim.Monthly
	}
	return daily, monthly
}

// keyExceeded says which of a key's limits c would pass, if any.
func keyExceeded(lim KeyLimits, c charge, dayUsed, monthUsed int) error {
	daily, monthly := keyCeilings(lim)
	if lim.Monthly != nil && monthUsed+c.month > monthly {
		return &ExceededError{Scope: "key monthly", Needed: c.month, Left: max(monthly-monthUsed, 0), Limit: monthly}
	}
	if lim.Daily != nil && dayUsed+c.day > daily {
		return &ExceededError{Scope: "key daily", Needed: c.day, Left: max(daily-dayUsed, 0), Limit: daily}
	}
	return nil
}

// exceeded builds the error for a tenant whose counters had no room.
func (s *Service) exceeded(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, q Quota, c charge) error {
	day, month := periods(s.now())
	q.DayUsed, q.MonthUsed, _ = usedIn(ctx, tx, day, month, tenantCounter, tenantID)
	return exceededError(q, c)
}

// exceededError names the tenant limit c would pass: the month's first,
// as it lasts longer.
func exceededError(q Quota, c charge) error {
	if q.MonthUsed+c.month > q.MonthLimit {
		return &ExceededError{Scope: "monthly", Needed: c.month, Left: max(q.MonthLimit-q.MonthUsed, 0), Limit: q.MonthLimit}
	}
	return &ExceededError{Scope: "daily", Needed: c.day, Left: max(q.DayLimit-q.DayUsed, 0), Limit: q.DayLimit}
}

// The two counter tables: one row per tenant, one per API key with its
// own limits. Both are read by tenant ($1); a key's row also by key ($2).
const (
	tenantCounter = "SELECT day, day_used, month, month_used FROM quota_usage WHERE tenant_id = $1"
	keyCounter    = "SELECT day, day_used, month, month_used FROM key_usage WHERE tenant_id = $1 AND api_key_id = $2"
)

// usedIn reads a counter's use in the given day and month: a counter last
// moved in an earlier period stands at 0 for this one.
func usedIn(ctx context.Context, tx *sql.Tx, day, month time.Time, counter string, args ...any) (dayUsed, monthUsed int, err error) {
	var d, m time.Time
	var du, mu int
	err = tx.QueryRowContext(ctx, counter, args...).Scan(&d, &du, &m, &mu)
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
