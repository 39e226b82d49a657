package verifications

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"mailvet/verify"
)

// CachedMany returns the fresh cached results among the given normalized
// addresses, keyed by normalized address as given.
func (s *Service) CachedMany(ctx context.Context, tenantID uuid.UUID, normalized []string, ttl time.Duration) (map[string]verify.Result, error) {
	out := map[string]verify.Result{}
	if ttl <= 0 || len(normalized) == 0 {
		return out, nil
	}
	keys := make([]string, len(normalized))
	back := make(map[string]string, len(normalized))
	for i, n := range normalized {
		keys[i] = cacheKey(n)
		back[keys[i]] = n
	}
	rows, err := s.db.QueryContext(ctx, `SELECT normalized, result FROM verification_cache
		WHERE tenant_id = ? AND normalized = ANY(?) AND checked_at > now() - ?::interval`,
		tenantID, pgdialect.Array(keys), fmt.Sprintf("%d seconds", int(ttl.Seconds())))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var raw []byte
		if err := rows.Scan(&key, &raw); err != nil {
			return nil, err
		}
		var r verify.Result
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, err
		}
		r.Cached, r.DurationMS = true, 0
		out[back[key]] = r
	}
	return out, rows.Err()
}

// SaveCacheMany stores definite results in the tenant's cache, through db
// (a transaction or the pool).
func SaveCacheMany(ctx context.Context, db bun.IDB, tenantID uuid.UUID, results []verify.Result) error {
	type entry struct {
		Key       string          `json:"k"`
		Result    json.RawMessage `json:"r"`
		CheckedAt time.Time       `json:"t"`
	}
	var entries []entry
	for _, r := range results {
		if !cacheable(r) || r.Cached {
			continue
		}
		raw, err := json.Marshal(r)
		if err != nil {
			return err
		}
		entries = append(entries, entry{Key: cacheKey(r.Normalized), Result: raw, CheckedAt: r.CheckedAt})
	}
	if len(entries) == 0 {
		return nil
	}
	payload, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, `INSERT INTO verification_cache (tenant_id, normalized, result, checked_at)
		SELECT DISTINCT ON (e.k) ?, e.k, e.r, e.t FROM jsonb_to_recordset(?::jsonb) AS e(k text, r jsonb, t timestamptz)
		ON CONFLICT (tenant_id, normalized) DO UPDATE SET result = EXCLUDED.result, checked_at = EXCLUDED.checked_at`,
		tenantID, string(payload))
	return err
}
