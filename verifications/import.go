package verifications

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/safetext"
	"mailvet/usage"
	"mailvet/verify"
)

// ImportHistory writes past verifications of an old service, in tx (the
// importer's transaction of the tenant): each result is recorded at its
// own CheckedAt, added to the usage rollups as history (never billable,
// and the quota counters are not touched: it was paid for elsewhere), and
// its definite verdicts reach the result cache with their original time,
// so the cache's TTL ages them as it would have. An imported verdict never
// replaces a newer one in the cache.
func ImportHistory(ctx context.Context, tx db.Tx, tenantID uuid.UUID, results []verify.Result) error {
	if len(results) == 0 {
		return nil
	}
	type entry struct {
		Email      string          `json:"email"`
		Normalized string          `json:"normalized"`
		Status     string          `json:"status"`
		Reason     string          `json:"reason"`
		Flags      json.RawMessage `json:"flags"`
		Score      int             `json:"score"`
		At         time.Time       `json:"at"`
		Key        string          `json:"key"`
		Result     json.RawMessage `json:"result,omitempty"` // only a definite verdict's
	}
	entries := make([]entry, 0, len(results))
	for _, r := range results {
		flags, _ := json.Marshal(r.Flags)
		e := entry{Email: safetext.Truncate(r.Email, maxStored), Normalized: safetext.Truncate(r.Normalized, maxStored),
			Status: string(r.Status), Reason: string(r.Reason), Flags: flags, Score: r.Score, At: r.CheckedAt, Key: cacheKey(r.Normalized)}
		r.Cached = false // an old answer the engine gave live, then
		// An address that does not parse is never looked up in the cache.
		if engineVerdict(r) && r.Reason != verify.ReasonInvalidSyntax {
			raw, err := json.Marshal(r)
			if err != nil {
				return err
			}
			e.Result = raw
		}
		entries = append(entries, e)
	}
	payload, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	// Grouped by day: one INSERT may not touch a rollup row twice.
	if _, err := sqlTx(tx).ExecContext(ctx, importHistorySQL, tenantID, string(payload), usage.NoKey, usage.SourceDashboard, usage.Shard()); err != nil {
		return fmt.Errorf("import verification history: %w", err)
	}
	if _, err := sqlTx(tx).ExecContext(ctx, importCacheSQL, tenantID, string(payload)); err != nil {
		return fmt.Errorf("import cached verdicts: %w", err)
	}
	return nil
}

const importHistorySQL = `WITH e AS (
		SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(email text, normalized text, status text, reason text, flags jsonb, score smallint, at timestamptz)),
	v AS (
		INSERT INTO verifications (tenant_id, api_key_id, email, normalized, status, reason, flags, score, cached, test_mode, duration_ms, created_at)
		SELECT $1, NULL, email, normalized, status, reason, flags, score, false, false, 0, at FROM e
		RETURNING tenant_id, status, created_at)
	INSERT INTO usage_daily (` + usage.Columns + `)
	SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, $3, $4, $5, count(*) FILTER (WHERE status = 'deliverable'),
		count(*) FILTER (WHERE status = 'undeliverable'), count(*) FILTER (WHERE status = 'risky'), count(*) FILTER (WHERE status = 'unknown'), 0, 0
	FROM v GROUP BY tenant_id, (created_at AT TIME ZONE 'UTC')::date ` + usage.OnConflict

const importCacheSQL = `INSERT INTO verification_cache (tenant_id, normalized, result, checked_at)
	SELECT DISTINCT ON (e.key) $1::uuid, e.key, e.result, e.at FROM jsonb_to_recordset($2::jsonb) AS e(key text, result jsonb, at timestamptz)
	WHERE e.result IS NOT NULL
	ORDER BY e.key, e.at DESC
	ON CONFLICT (tenant_id, normalized) DO UPDATE SET result = EXCLUDED.result, checked_at = EXCLUDED.checked_at
	WHERE verification_cache.checked_at < EXCLUDED.checked_at`
