// Package verifications runs single verifications for a tenant: the
// per-tenant result cache, the engine under a deadline, test mode, and the
// record of every verification that usage and analytics read.
package verifications

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/billing"
	"mailvet/rules"
	"mailvet/usage"
	"mailvet/verify"
)

// Engine is the part of the verification engine this package needs.
type Engine interface {
	Verify(ctx context.Context, email string) verify.Result
}

// RuleSource gives a tenant's verification rules, compiled (rules.Store).
type RuleSource interface {
	RuleSet(ctx context.Context, tenantID uuid.UUID) (*rules.RuleSet, error)
}

// Quota counts billable verifications (billing.Service).
type Quota interface {
	Consume(ctx context.Context, tx *sql.Tx, tenantID, keyID uuid.UUID, lim billing.KeyLimits, n int) (billing.Quota, error)
}

// Service verifies addresses for tenants.
type Service struct {
	db       *bun.DB
	engine   Engine
	rules    RuleSource
	quota    Quota
	deadline time.Duration
}

// WithQuota makes live verifications count against the tenant's plan.
func (s *Service) WithQuota(q Quota) *Service {
	s.quota = q
	return s
}

// NewService returns a Service. ruleSource may be nil (no rules apply);
// deadline bounds one live verification.
func NewService(db *bun.DB, engine Engine, ruleSource RuleSource, deadline time.Duration) *Service {
	if deadline <= 0 {
		deadline = 20 * time.Second
	}
	return &Service{db: db, engine: engine, rules: ruleSource, deadline: deadline}
}

// Request is one verification to run.
type Request struct {
	TenantID uuid.UUID
	APIKeyID uuid.UUID // zero for the dashboard
	Email    string
	TestMode bool
	CacheTTL time.Duration // zero: no cache
	// Rules are the tenant's rules, loaded once for a batch
	// (rules.Store.RuleSet); nil loads them for this one call.
	Rules *rules.RuleSet
	// KeyLimits are the API key's own lower limits.
	KeyLimits billing.KeyLimits
}

// Verify answers by the tenant's rules when one matches (live and test
// mode alike: no network, not cached), else from the tenant's cache when
// it holds a fresh definite answer, else asks the engine (or test mode),
// and records the outcome. Only the engine's answers count against the
// quota (rules, cache hits and test mode are free); quota is non-nil when
// this call counted. A call that does not fit the quota returns a
// *billing.ExceededError and asks nothing.
func (s *Service) Verify(ctx context.Context, req Request) (verify.Result, *billing.Quota, error) {
	rs := req.Rules
	if rs == nil && s.rules != nil {
		var err error
		if rs, err = s.rules.RuleSet(ctx, req.TenantID); err != nil {
			return verify.Result{}, nil, err
		}
	}
	var res verify.Result
	var quota *billing.Quota
	ruled, _, byRule := rs.Check(req.Email)
	switch {
	case byRule:
		res = ruled
	case req.TestMode:
		res = verify.TestMode(req.Email)
	default:
		cached, ok, err := s.cached(ctx, req)
		if err != nil {
			return res, nil, err
		}
		if ok {
			res = cached
			break
		}
		if quota, err = s.consume(ctx, req); err != nil {
			return res, nil, err
		}
		res = s.live(ctx, req.Email)
		if cacheable(res) && req.CacheTTL > 0 {
			if err := s.saveCache(ctx, req.TenantID, res); err != nil {
				return res, quota, err
			}
		}
	}
	return res, quota, s.record(ctx, req, res)
}

// consume counts one verification, committing at once: the count stands
// even if the engine then fails, as the work was done.
func (s *Service) consume(ctx context.Context, req Request) (*billing.Quota, error) {
	if s.quota == nil {
		return nil, nil
	}
	tx, err := s.db.DB.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	q, err := s.quota.Consume(ctx, tx, req.TenantID, req.APIKeyID, req.KeyLimits, 1)
	if err != nil {
		return nil, err
	}
	return &q, tx.Commit()
}

// live runs the engine, never past the deadline: a verification that has
// not finished by then is reported unknown/timeout.
func (s *Service) live(ctx context.Context, email string) verify.Result {
	ctx, cancel := context.WithTimeout(ctx, s.deadline)
	defer cancel()
	start := time.Now()
	done := make(chan verify.Result, 1)
	go func() { done <- s.engine.Verify(ctx, email) }()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		return verify.Result{
			Email: email, Status: verify.Unknown, Reason: verify.ReasonTimeout, Score: 40,
			CheckedAt: time.Now().UTC(), DurationMS: time.Since(start).Milliseconds(), RetryAfterSeconds: 60,
			Detail: fmt.Sprintf("No answer within %s.", s.deadline),
		}
	}
}

// cacheable keeps temporary answers (greylisting, timeouts) out of the
// cache: asking again may well give a better one.
func cacheable(r verify.Result) bool {
	return !r.Temporary() && r.Status != verify.Unknown && r.Normalized != ""
}

func cacheKey(normalized string) string { return strings.ToLower(normalized) }

func (s *Service) cached(ctx context.Context, req Request) (verify.Result, bool, error) {
	var r verify.Result
	if req.CacheTTL <= 0 {
		return r, false, nil
	}
	norm := normalizedOf(req.Email)
	if norm == "" {
		return r, false, nil
	}
	var raw []byte
	// Bind parameters, as for recordSQL: this runs on every request.
	err := s.db.DB.QueryRowContext(ctx, `SELECT result FROM verification_cache
		WHERE tenant_id = $1 AND normalized = $2 AND checked_at > now() - make_interval(secs => $3)`,
		req.TenantID, cacheKey(norm), req.CacheTTL.Seconds()).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, false, err
	}
	r.Email, r.Cached, r.DurationMS = req.Email, true, 0
	return r, true, nil
}

func (s *Service) saveCache(ctx context.Context, tenantID uuid.UUID, r verify.Result) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = s.db.NewRaw(`INSERT INTO verification_cache (tenant_id, normalized, result, checked_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (tenant_id, normalized) DO UPDATE SET result = EXCLUDED.result, checked_at = EXCLUDED.checked_at`,
		tenantID, cacheKey(r.Normalized), string(raw), r.CheckedAt).Exec(ctx)
	return err
}

func (s *Service) record(ctx context.Context, req Request, r verify.Result) error {
	flags, _ := json.Marshal(r.Flags)
	var key *uuid.UUID
	if req.APIKeyID != uuid.Nil {
		key = &req.APIKeyID
	}
	norm := r.Normalized
	if norm == "" {
		norm = strings.TrimSpace(r.Email)
	}
	source := usage.SourceAPI
	if key == nil {
		source = usage.SourceDashboard
	}
	// One statement records the verification and adds it to the usage
	// rollups: neither exists without the other.
	_, err := s.db.DB.ExecContext(ctx, recordSQL,
		req.TenantID, key, truncate(req.Email, 512), truncate(norm, 512), string(r.Status), string(r.Reason), string(flags),
		r.Score, r.Cached, req.TestMode, r.DurationMS, req.APIKeyID, source, usage.Shard(), usage.Billable(r, req.TestMode))
	if err != nil {
		return fmt.Errorf("record verification: %w", err)
	}
	return nil
}

// recordSQL runs on every verification, so it takes bind parameters (the
// raw database/sql handle, not bun, which would inline the values): one
// statement text that each connection prepares once.
const recordSQL = `WITH v AS (
		INSERT INTO verifications (tenant_id, api_key_id, email, normalized, status, reason, flags, score, cached, test_mode, duration_ms)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING tenant_id, status, cached, created_at)
	INSERT INTO usage_daily (` + usage.Columns + `)
	SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date, $12, $13, $14, (status = 'deliverable')::int, (status = 'undeliverable')::int,
		(status = 'risky')::int, (status = 'unknown')::int, cached::int, $15::boolean::int
	FROM v ` + usage.OnConflict

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
