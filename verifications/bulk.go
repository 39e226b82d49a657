package verifications

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
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
		rows, err := sqlTx(tx).QueryContext(ctx, cachedManySQL, tenantID, keys, ttl.Seconds())
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

// cachedManySQL reads the fresh entries among keys ($2) with one index
// probe per key, whatever the statistics say. Written as normalized =
// ANY($2), a list's lookup of 10,000 keys was planned as a scan of every
// cached row of the tenant (the table analysed when small, the array's
// length seen): 0.4 s at 430,000 rows, and more with each batch. The
// LIMIT keeps the planner from flattening the lateral subquery into a
// join it may hash.
const cachedManySQL = `SELECT k.key, c.result FROM unnest($2::text[]) AS k(key)
	CROSS JOIN LATERAL (SELECT result FROM verification_cache
		WHERE tenant_id = $1 AND normalized = k.key AND checked_at > now() - make_interval(secs => $3) LIMIT 1) AS c`

// SaveVerdicts is the one way a verdict reaches the result cache: it
// stores, in tx (a transaction of the tenant), the results among results
// that the engine gave live and that are definite. A test-mode caller is
// refused with ErrLiveOnly (its answers come from the local part, and a
// live request must never be served one). Rule verdicts (they would
// outlive the rule), cache hits, test-mode answers and temporary or
// unknown answers are left out, and so are the zero results of rows not
// answered, so a batch's results can be passed whole.
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
	// The newest verdict of an address in the batch wins, as it would one
	// statement at a time; an upsert may touch a row once.
	newest := make(map[string]int, len(results))
	for i, r := range results {
		if !engineVerdict(r) {
			continue
		}
		k := cacheKey(r.Normalized)
		if j, seen := newest[k]; !seen || r.CheckedAt.After(results[j].CheckedAt) {
			newest[k] = i
		}
	}
	if len(newest) == 0 {
		return nil
	}
	// One array per column, bound as parameters: pgx sends them in
	// PostgreSQL's binary format, so the server parses only each result's
	// JSON, not one document of all of them first (measured: the parse and
	// the sort of the batch's DISTINCT ON were half of this statement).
	// In key order, as the index keeps them: neighbours land on pages just
	// touched.
	keys := slices.Sorted(maps.Keys(newest))
	for chunk := range slices.Chunk(keys, upsertChunk) {
		raws, at := make([][]byte, len(chunk)), make([]time.Time, len(chunk))
		for j, k := range chunk {
			r := results[newest[k]]
			raw, err := json.Marshal(r)
			if err != nil {
				return err
			}
			raws[j], at[j] = raw, r.CheckedAt
		}
		if _, err := sqlTx(tx).ExecContext(ctx, `INSERT INTO verification_cache (tenant_id, normalized, result, checked_at)
			SELECT $1::uuid, e.k, e.r, e.t FROM unnest($2::text[], $3::jsonb[], $4::timestamptz[]) AS e(k, r, t)
			ON CONFLICT (tenant_id, normalized) DO UPDATE SET result = EXCLUDED.result, checked_at = EXCLUDED.checked_at`,
			tenantID, chunk, raws, at); err != nil {
			return err
		}
	}
	return nil
}

// upsertChunk is the most verdicts one cache upsert sends. A list batch's
// ten thousand results are 4–5 MB of JSON, and pgx builds a statement's
// whole message in memory before sending it: in one statement, that and
// the buffer's growth were the largest part of a list worker's heap (the
// serve process's peak RSS over a million-address list fell from 268–309
// MB to 206–213 MB with chunks of a thousand, the list no slower), for a
// few more round trips.
const upsertChunk = 1000
