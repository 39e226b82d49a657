// Package verifications runs single verifications for a tenant: the
// per-tenant result cache, the engine under a deadline, test mode, and the
// record of every verification that usage and analytics read.
//
// Only the engine's live verdicts are ever written to the result cache:
// never a test-mode answer (a test key's data stays apart from live data,
// as in Stripe) and never a rule's verdict (it would outlive the rule).
// Test-mode callers neither read nor clear the live cache.
//
// Every statement runs in the tenant's scope and is written one way:
// plain SQL with $n bind parameters, on the *sql.Tx of a db.Tx, or through
// db.QueryRow for the cache hit, a lone statement that needs no
// transaction of its own. The record and cache statements run on every
// request; bind parameters let each connection prepare them once, where
// bun would inline the values into a new statement text each time.
package verifications

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/rules"
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

// Quota counts billable verifications (billing.Service): Fits is the cheap
// check before the engine, Consume the exact count in the transaction that
// records the verification.
type Quota interface {
	Fits(ctx context.Context, tenantID, keyID uuid.UUID, lim billing.KeyLimits, n int) error
	Consume(ctx context.Context, tx db.Tx, tenantID, keyID uuid.UUID, lim billing.KeyLimits, n int) (billing.Quota, error)
}

// Service verifies addresses for tenants.
type Service struct {
	db       *db.DB
	engine   Engine
	rules    RuleSource
	quota    Quota
	deadline time.Duration
	obs      Observer
}

// WithQuota makes live verifications count against the tenant's plan.
func (s *Service) WithQuota(q Quota) *Service {
	s.quota = q
	return s
}

// NewService returns a Service. ruleSource may be nil (no rules apply);
// deadline bounds one live verification.
func NewService(d *db.DB, engine Engine, ruleSource RuleSource, deadline time.Duration) *Service {
	if deadline <= 0 {
		deadline = 20 * time.Second
	}
	return &Service{db: d, engine: engine, rules: ruleSource, deadline: deadline, obs: unobserved{}}
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
	// Source is the usage source the verification counts under (a usage
	// Source*); empty: usage.SourceAPI with a key, SourceDashboard without.
	Source string
}

// Verify answers by the tenant's rules when one matches (live and test
// mode alike: no network, not cached), else by syntax alone for an address
// that does not parse (free, not cached), else in test mode from the local
// part, else from the tenant's cache when it holds a fresh definite
// answer, else asks the engine; and records the outcome. Only the engine's
// answers count against the quota (rules, cache hits and test mode are
// free); quota is non-nil when this call counted. A call that does not fit
// the quota returns a *billing.ExceededError and asks nothing.
//
// An engine answer is counted, recorded and cached in one transaction:
// when any of it fails, nothing is charged. No transaction is open while
// the engine works (an SMTP probe takes seconds, and the quota row's lock
// would queue the tenant's other requests behind it).
func (s *Service) Verify(ctx context.Context, req Request) (verify.Result, *billing.Quota, error) {
	rs := req.Rules
	if rs == nil && s.rules != nil {
		var err error
		if rs, err = s.rules.RuleSet(ctx, req.TenantID); err != nil {
			return verify.Result{}, nil, err
		}
	}
	if ruled, _, ok := rs.Check(req.Email); ok {
		return ruled, nil, s.recordOnly(ctx, req, ruled)
	}
	if res, invalid := verify.SyntaxVerdict(req.Email); invalid {
		// Final without the network, so it costs nothing, live or test.
		return res, nil, s.recordOnly(ctx, req, res)
	}
	if req.TestMode {
		res := verify.TestMode(req.Email)
		return res, nil, s.recordOnly(ctx, req, res)
	}
	if res, ok, err := s.cacheHit(ctx, req); err != nil || ok {
		if ok {
			s.obs.Verified(sourceOf(req), res)
		}
		return res, nil, err
	}
	if s.quota != nil {
		if err := s.quota.Fits(ctx, req.TenantID, req.APIKeyID, req.KeyLimits, 1); err != nil {
			return verify.Result{}, nil, err
		}
	}
	res := s.live(ctx, req.Email)
	var quota *billing.Quota
	err := s.db.Tx(ctx, db.Tenant(req.TenantID), func(ctx context.Context, tx db.Tx) error {
		if err := record(ctx, tx, req, res); err != nil {
			return err
		}
		if req.CacheTTL > 0 {
			if err := saveVerdicts(ctx, tx, req.TenantID, []verify.Result{res}); err != nil {
				return err
			}
		}
		if s.quota == nil {
			return nil
		}
		// Counted last: the quota row stays locked until commit, so the
		// shorter the rest of the transaction after it, the less a
		// tenant's concurrent requests wait on one another.
		q, err := s.quota.Consume(ctx, tx, req.TenantID, req.APIKeyID, req.KeyLimits, 1)
		if err != nil {
			return err
		}
		quota = &q
		return nil
	})
	if err != nil {
		return res, nil, err
	}
	s.obs.Verified(sourceOf(req), res)
	return res, quota, nil
}

// recordOnly records a verdict that costs nothing (a rule's, test mode's,
// an address that does not parse).
func (s *Service) recordOnly(ctx context.Context, req Request, res verify.Result) error {
	err := s.db.Tx(ctx, db.Tenant(req.TenantID), func(ctx context.Context, tx db.Tx) error {
		return record(ctx, tx, req, res)
	})
	if err == nil {
		s.obs.Verified(sourceOf(req), res)
	}
	return err
}

// live runs the engine, never past the deadline: a verification that has
// not finished by then is reported unknown/timeout.
func (s *Service) live(ctx context.Context, email string) verify.Result {
	ctx, cancel := context.WithTimeout(ctx, s.deadline)
	defer cancel()
	start := time.Now()
	defer func() { s.obs.EngineRan(time.Since(start)) }()
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

// sqlTx is the transaction's database/sql side, which sends $n bind
// parameters as they are (see the package comment).
func sqlTx(tx db.Tx) *sql.Tx { return tx.Tx.Tx }

// noRows reports a statement that found nothing.
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
