package verifications

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/safetext"
	"mailvet/usage"
	"mailvet/verify"
)

// maxStored bounds the addresses a verification record keeps, in bytes.
const maxStored = 512

// record writes a verification and adds it to the usage rollups, in tx.
func record(ctx context.Context, tx db.Tx, req Request, r verify.Result) error {
	flags, _ := json.Marshal(r.Flags)
	key, usageKey, source := keyOf(req)
	norm := r.Normalized
	if norm == "" {
		norm = strings.TrimSpace(r.Email)
	}
	_, err := sqlTx(tx).ExecContext(ctx, recordSQL,
		req.TenantID, key, safetext.Truncate(req.Email, maxStored), safetext.Truncate(norm, maxStored), string(r.Status), string(r.Reason), string(flags),
		r.Score, r.Cached, req.TestMode, r.DurationMS, usageKey, source, usage.Shard(), usage.Billable(r, req.TestMode))
	if err != nil {
		return fmt.Errorf("record verification: %w", err)
	}
	return nil
}

// keyOf is the request's key as the verification stores it (NULL without
// one), as the rollups store it (usage.NoKey), and the usage source.
func keyOf(req Request) (key *uuid.UUID, usageKey uuid.UUID, source string) {
	source = req.Source
	if req.APIKeyID == uuid.Nil {
		if source == "" {
			source = usage.SourceDashboard
		}
		return nil, uuid.Nil, source
	}
	if source == "" {
		source = usage.SourceAPI
	}
	return &req.APIKeyID, req.APIKeyID, source
}

// sourceOf is the usage source a request's verification counts under.
func sourceOf(req Request) string {
	_, _, source := keyOf(req)
	return source
}

// recordSQL records one verification and adds it to the usage rollups in
// one statement: neither exists without the other.
const recordSQL = `WITH v AS (
		INSERT INTO verifications (tenant_id, api_key_id, email, normalized, status, reason, flags, score, cached, test_mode, duration_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING tenant_id, status, cached, created_at)
	INSERT INTO usage_daily (` + usage.Columns + `)
	SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, $12, $13, $14, (status = 'deliverable')::int, (status = 'undeliverable')::int,
		(status = 'risky')::int, (status = 'unknown')::int, cached::int, $15::boolean::int
	FROM v ` + usage.OnConflict

// cacheHit answers a live request from the tenant's cache: one statement
// in one transaction reads the fresh entry and, when there is one,
// records the verification (cached, free) and adds it to the rollups. On
// a miss it writes nothing.
func (s *Service) cacheHit(ctx context.Context, req Request) (verify.Result, bool, error) {
	var r verify.Result
	if req.CacheTTL <= 0 || req.TestMode {
		return r, false, nil // test mode never reads the live cache
	}
	norm := normalizedOf(req.Email)
	if norm == "" {
		return r, false, nil
	}
	key, usageKey, source := keyOf(req)
	var raw []byte
	// One statement, so db.QueryRow: the tenant and the statement share one
	// round trip, and the statement commits by itself.
	err := s.db.QueryRow(ctx, db.Tenant(req.TenantID), hitSQL, req.TenantID, cacheKey(norm), req.CacheTTL.Seconds(),
		key, safetext.Truncate(req.Email, maxStored), safetext.Truncate(norm, maxStored), usageKey, source, usage.Shard()).Scan(&raw)
	if noRows(err) {
		s.obs.CacheLookups(0, 1)
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("read the result cache: %w", err)
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, false, err
	}
	s.obs.CacheLookups(1, 0)
	r.Email, r.Cached, r.DurationMS = req.Email, true, 0
	return r, true, nil
}

// hitSQL is the cache-hit path's one statement: c finds the fresh entry,
// v records it as a cached live verification (its verdict read from the
// stored result), and the last insert adds it to the rollups as a cache
// hit, not billable. It returns the stored result, or no row on a miss.
const hitSQL = `WITH c AS (
		SELECT result FROM verification_cache
		WHERE tenant_id = $1 AND normalized = $2 AND checked_at > now() - make_interval(secs => $3)),
	v AS (
		INSERT INTO verifications (tenant_id, api_key_id, email, normalized, status, reason, flags, score, cached, test_mode, duration_ms)
		SELECT $1, $4::uuid, $5::text, $6::text, result->>'status', result->>'reason', coalesce(result->'flags', '{}'), (result->>'score')::smallint, true, false, 0
		FROM c
		RETURNING tenant_id, status, created_at),
	u AS (
		INSERT INTO usage_daily (` + usage.Columns + `)
		SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, $7::uuid, $8::text, $9::int, (status = 'deliverable')::int, (status = 'undeliverable')::int,
			(status = 'risky')::int, (status = 'unknown')::int, 1, 0
		FROM v ` + usage.OnConflict + `)
	SELECT result FROM c`
