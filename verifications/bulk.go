package verifications

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/verify"
)

// CachedMany returns the fresh cached results among the given normalized
// addresses, keyed by normalized address as given. A test-mode caller
// gets none: the cache holds live verdicts only.
func (s *Service) CachedMany(ctx context.Context, tenantID uuid.UUID, testMode bool, normalized []string, ttl time.Duration) (map[string]verify.Result, error) {
	out := map[string]verify.Result{}
	if testMode || ttl <= 0 || len(normalized) == 0 {
		return out, nil
	}
	keys := make([]string, len(normalized))
	back := make(map[string]string, len(normalized))
	for i, n := range normalized {
		keys[i] = cacheKey(n)
		back[keys[i]] = n
	}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		rows, err := sqlTx(tx).QueryContext(ctx, `SELECT normalized, result FROM verification_cache
			WHERE tenant_id = $1 AND normalized = ANY($2) AND checked_at > now() - make_interval(secs => $3)`,
			tenantID, keys, ttl.Seconds())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var raw []byte
			if err := rows.Scan(&key, &raw); err != nil {
				return err
			}
			var r verify.Result
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			r.Cached, r.DurationMS = true, 0
			out[back[key]] = r
		}
		return rows.Err()
	})
	if err == nil {
		s.obs.CacheLookups(len(out), len(normalized)-len(out))
	}
	return out, err
}

// SaveVerdicts is the one way a verdict reaches the result cache: it
// stores, in tx (a transaction of the tenant), the results among results
// that the engine gave live and that are definite. A test-mode caller is
// refused with ErrLiveOnly (its answers come from the local part, and a
// live request must never be served one). Rule verdicts (they would
// outlive the rule), cache hits, test-mode answers and temporary or
// unknown answers are left out, so a batch's results can be passed whole.
func (s *Service) SaveVerdicts(ctx context.Context, tx db.Tx, tenantID uuid.UUID, testMode bool, results []verify.Result) error {
	if testMode {
		return ErrLiveOnly
	}
	return saveVerdicts(ctx, tx, tenantID, results)
}

// engineVerdict reports whether r is a definite answer the engine gave
// live: the only kind the cache keeps.
func engineVerdict(r verify.Result) bool {
	switch r.Reason {
	case verify.ReasonAllowedByRule, verify.ReasonBlockedByRule, verify.ReasonTestMode:
		return false
	}
	return !r.Cached && !r.Temporary() && r.Status != verify.Unknown && r.Normalized != ""
}

func saveVerdicts(ctx context.Context, tx db.Tx, tenantID uuid.UUID, results []verify.Result) error {
	type entry struct {
		Key       string          `json:"k"`
		Result    json.RawMessage `json:"r"`
		CheckedAt time.Time       `json:"t"`
	}
	var entries []entry
	for _, r := range results {
		if !engineVerdict(r) {
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
	// The newest verdict of an address in the batch wins, as it would one
	// statement at a time.
	_, err = sqlTx(tx).ExecContext(ctx, `INSERT INTO verification_cache (tenant_id, normalized, result, checked_at)
		SELECT DISTINCT ON (e.k) $1::uuid, e.k, e.r, e.t FROM jsonb_to_recordset($2::jsonb) AS e(k text, r jsonb, t timestamptz)
		ORDER BY e.k, e.t DESC
		ON CONFLICT (tenant_id, normalized) DO UPDATE SET result = EXCLUDED.result, checked_at = EXCLUDED.checked_at`,
		tenantID, string(payload))
	return err
}
