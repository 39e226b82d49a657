package tenants

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
)

// KeyLimits are an API key's own limits, below its plan's; a nil field
// leaves that limit to the plan.
type KeyLimits struct {
	RatePerMinute *int
	Daily         *int
	Monthly       *int
}

// SetAPIKeyLimits replaces the own limits of one of the tenant's keys that
// is not revoked. Owners and admins only. The next request made with the
// key is held to them (the key is read on every request).
func (s *Store) SetAPIKeyLimits(ctx context.Context, tenantID, id uuid.UUID, lim KeyLimits, actor audit.Actor) (APIKey, error) {
	var k APIKey
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		if err := tx.NewUpdate().Model(&k).
			Set("rate_per_minute = ?, daily_limit = ?, monthly_limit = ?", lim.RatePerMinute, lim.Daily, lim.Monthly).
			Where("tenant_id = ? AND id = ? AND revoked_at IS NULL", tenantID, id).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.APIKeyLimits, "api_key", id.String(), map[string]any{
			"prefix": k.Prefix, "rate_per_minute": lim.RatePerMinute, "daily_limit": lim.Daily, "monthly_limit": lim.Monthly,
		})
	})
	return k, wrap("set api key limits", err)
}
