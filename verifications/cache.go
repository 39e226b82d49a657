package verifications

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/verify/address"
)

// ErrLiveOnly says a test-mode actor asked for live data: the result cache
// holds live engine verdicts only, which test keys neither read nor clear.
var ErrLiveOnly = errors.New("the result cache holds live verifications only; test mode cannot change it")

// ErrNotFound says the actor acts for another tenant: that tenant's cache
// is not found, its existence is not revealed.
var ErrNotFound = errors.New("not found")

// AuditCacheCleared is the audit action of ClearCache.
const AuditCacheCleared = "verification_cache.cleared"

// ClearCache forgets every cached answer of a tenant and returns how many.
// The actor must act as an admin or owner (actor.ErrForbidden); a user or
// key of another tenant gets ErrNotFound, a test-mode actor ErrLiveOnly.
// The clearing is audited.
func (s *Service) ClearCache(ctx context.Context, tenantID uuid.UUID, by actor.Actor) (int64, error) {
	switch err := by.RequireIn(tenantID, actor.RoleAdmin); {
	case errors.Is(err, actor.ErrOtherTenant):
		return 0, ErrNotFound
	case err != nil:
		return 0, err
	}
	if by.TestMode {
		return 0, ErrLiveOnly
	}
	var n int64
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		res, err := sqlTx(tx).ExecContext(ctx, `DELETE FROM verification_cache WHERE tenant_id = $1`, tenantID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditCacheCleared, "verification_cache", "", map[string]any{"cleared": n})
	})
	return n, err
}

// Stats are a tenant's verification counts over a period.
type Stats struct {
	Total       int
	CacheHits   int
	CacheMisses int
	TestMode    int
	CachedNow   int
}

// StatsSince counts a tenant's verifications since t: cache hits are live
// verifications answered from the cache, misses those that went to the
// engine. CachedNow is the size of the cache, read in the same snapshot.
func (s *Service) StatsSince(ctx context.Context, tenantID uuid.UUID, since time.Time) (Stats, error) {
	var st Stats
	err := s.db.Tx(ctx, db.Tenant(tenantID).Snapshot(), func(ctx context.Context, tx db.Tx) error {
		err := sqlTx(tx).QueryRowContext(ctx, `SELECT count(*),
				count(*) FILTER (WHERE cached),
				count(*) FILTER (WHERE NOT cached AND NOT test_mode),
				count(*) FILTER (WHERE test_mode)
			FROM verifications WHERE tenant_id = $1 AND created_at >= $2`, tenantID, since).
			Scan(&st.Total, &st.CacheHits, &st.CacheMisses, &st.TestMode)
		if err != nil {
			return err
		}
		return sqlTx(tx).QueryRowContext(ctx, `SELECT count(*) FROM verification_cache WHERE tenant_id = $1`, tenantID).Scan(&st.CachedNow)
	})
	return st, err
}

func normalizedOf(raw string) string {
	a, problem := address.Parse(raw)
	if problem != nil {
		return ""
	}
	return a.Normalized
}

func cacheKey(normalized string) string { return strings.ToLower(normalized) }
