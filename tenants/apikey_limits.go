package tenants

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// KeyLimits are an API key's own limits, below its plan's; a nil field
// leaves that limit to the plan.
type KeyLimits struct {
	RatePerMinute *int
	Daily         *int
	Monthly       *int
}

// PlanLimits are the limits of the tenant's plan, which a key's own may
// not exceed (billing owns plans; the caller passes them in).
type PlanLimits struct {
	RatePerMinute int
	Daily         int
	Monthly       int
}

// KeyLimitError names a key limit that was refused: below 1, or above the
// plan's (Max). It matches ErrKeyLimit.
type KeyLimitError struct {
	Limit string // "rate_per_minute", "daily_limit" or "monthly_limit"
	Value int
	Max   int
}

func (e *KeyLimitError) Error() string {
	if e.Value < 1 {
		return fmt.Sprintf("%s must be at least 1, not %d", e.Limit, e.Value)
	}
	return fmt.Sprintf("%s %d is above the plan's %d", e.Limit, e.Value, e.Max)
}

// Is makes errors.Is(err, ErrKeyLimit) true.
func (e *KeyLimitError) Is(target error) bool { return target == ErrKeyLimit }

// check enforces "a key's own limit is at least 1 and at most its plan's".
func (lim KeyLimits) check(plan PlanLimits) error {
	for _, l := range []struct {
		name  string
		value *int
		max   int
	}{
		{"rate_per_minute", lim.RatePerMinute, plan.RatePerMinute},
		{"daily_limit", lim.Daily, plan.Daily},
		{"monthly_limit", lim.Monthly, plan.Monthly},
	} {
		if l.value != nil && (*l.value < 1 || *l.value > l.max) {
			return &KeyLimitError{Limit: l.name, Value: *l.value, Max: l.max}
		}
	}
	return nil
}

// SetAPIKeyLimits replaces the own limits of one of the tenant's keys that
// is not revoked; none may be above plan's (a *KeyLimitError otherwise).
// Owners and admins only. The next request made with the key is held to
// them (the key is read on every request).
func (s *Store) SetAPIKeyLimits(ctx context.Context, tenantID, id uuid.UUID, lim KeyLimits, plan PlanLimits, by actor.Actor) (APIKey, error) {
	if err := lim.check(plan); err != nil {
		return APIKey{}, err
	}
	var k APIKey
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
			return err
		}
		var before APIKey
		if err := tx.NewSelect().Model(&before).Where("tenant_id = ? AND id = ? AND revoked_at IS NULL", tenantID, id).
			For("UPDATE").Scan(ctx); err != nil {
			return notFound(err)
		}
		if err := tx.NewUpdate().Model(&k).
			Set("rate_per_minute = ?, daily_limit = ?, monthly_limit = ?", lim.RatePerMinute, lim.Daily, lim.Monthly).
			Where("tenant_id = ? AND id = ? AND revoked_at IS NULL", tenantID, id).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.RecordChanges(ctx, tx, tenantID, by, audit.APIKeyLimits, "api_key", id.String(), map[string]any{
			"prefix": k.Prefix, "rate_per_minute": lim.RatePerMinute, "daily_limit": lim.Daily, "monthly_limit": lim.Monthly,
		}, map[string]audit.Change{
			"rate_per_minute": {Before: before.RatePerMinute, After: k.RatePerMinute},
			"daily_limit":     {Before: before.DailyLimit, After: k.DailyLimit},
			"monthly_limit":   {Before: before.MonthlyLimit, After: k.MonthlyLimit},
		})
	})
	return k, wrap("set api key limits", err)
}
