package verifications

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/verify/address"
)

// ClearCache forgets every cached answer of a tenant.
func (s *Service) ClearCache(ctx context.Context, tenantID uuid.UUID) (int64, error) {
	res, err := s.db.NewDelete().TableExpr("verification_cache").Where("tenant_id = ?", tenantID).Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Stats are a tenant's verification counts over a period.
type Stats struct {
	Total       int `bun:"total"`
	CacheHits   int `bun:"hits"`
	CacheMisses int `bun:"misses"`
	TestMode    int `bun:"test"`
	CachedNow   int `bun:"-"`
}

// StatsSince counts a tenant's verifications since t: cache hits are live
// verifications answered from the cache, misses those that went to the
// engine.
func (s *Service) StatsSince(ctx context.Context, tenantID uuid.UUID, since time.Time) (Stats, error) {
	var st Stats
	err := s.db.NewRaw(`SELECT count(*) AS total,
			count(*) FILTER (WHERE cached) AS hits,
			count(*) FILTER (WHERE NOT cached AND NOT test_mode) AS misses,
			count(*) FILTER (WHERE test_mode) AS test
		FROM verifications WHERE tenant_id = ? AND created_at >= ?`, tenantID, since).Scan(ctx, &st)
	if err != nil {
		return st, err
	}
	err = s.db.NewRaw(`SELECT count(*) FROM verification_cache WHERE tenant_id = ?`, tenantID).Scan(ctx, &st.CachedNow)
	return st, err
}

func normalizedOf(raw string) string {
	a, problem := address.Parse(raw)
	if problem != nil {
		return ""
	}
	return a.Normalized
}
