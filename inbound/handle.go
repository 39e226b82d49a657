package inbound

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/tenants"
	"mailvet/webhooks"
)

// Handle takes one push. It returns an Answer (202, see Accepted) when
// the push was verified, now or by an earlier request with the same
// webhook-id, and otherwise an error, having done nothing (no
// verification, no charge, no row):
//
//   - *UnauthorizedError (errors.Is ErrUnauthorized): 401
//     "invalid_signature", the Reason as detail;
//   - *RequestError (errors.Is ErrInvalidPush): its Status (400, 413, 422)
//     and Code;
//   - *billing.ExceededError: 429 "quota_exceeded" with its numbers, as
//     /v1/verify answers it; nothing is stored, so the sender's retry
//     with the same webhook-id is verified once there is quota;
//   - tenants.ErrTenantSuspended: 403 "account_suspended";
//   - ErrInProgress: 409 "push_in_progress" (retry later);
//   - anything else: 500.
//
// The checks run cheapest first and the body is read only once the
// signature holds.
func (s *Service) Handle(ctx context.Context, p Push) (Answer, error) {
	if len(p.Body) > MaxBodyBytes {
		_, err := decodeBody(p.Body) // the one place that words the refusal
		return Answer{}, err
	}
	h, err := checkHeaders(p.Header, s.now())
	if err != nil {
		return Answer{}, err
	}
	tenantID, secret, enabled, err := s.endpoints.InboundSecret(ctx, p.EndpointID)
	if errors.Is(err, webhooks.ErrNotFound) {
		return Answer{}, unauthorized(ReasonUnknownEndpoint)
	}
	if err != nil {
		return Answer{}, err
	}
	if err := checkSignature(secret, p.Body, p.Header); err != nil {
		return Answer{}, err
	}
	// Said only to a sender that holds the secret.
	if !enabled {
		return Answer{}, unauthorized(ReasonDisabled)
	}
	body, err := decodeBody(p.Body)
	if err != nil {
		return Answer{}, err
	}
	tenant, err := s.tenants.TenantByID(ctx, tenantID)
	if err != nil {
		return Answer{}, err
	}
	if !tenant.Active() {
		return Answer{}, tenants.ErrTenantSuspended
	}
	k := pushKey{tenant: tenantID, endpoint: p.EndpointID, webhookID: h.id}
	w := work{key: k, body: body, cacheTTL: tenant.CacheTTL()}
	return s.claimAndRun(ctx, w)
}

// claimAndRun verifies the push when it claims it, and otherwise waits
// for the answer of the request that did (or takes over when that one
// released its claim).
func (s *Service) claimAndRun(ctx context.Context, w work) (Answer, error) {
	deadline := time.Now().Add(s.opts.Wait)
	for {
		c, ours, err := s.take(ctx, w.key)
		if err != nil {
			return Answer{}, fmt.Errorf("claim inbound push: %w", err)
		}
		if ours {
			return s.run(ctx, w, c)
		}
		if c.status != 0 {
			return Answer{Status: http.StatusOK, Body: []byte(c.response), Replayed: true}, nil
		}
		if time.Now().After(deadline) {
			return Answer{}, ErrInProgress
		}
		select {
		case <-ctx.Done():
			return Answer{}, ctx.Err()
		case <-time.After(s.opts.Poll):
		}
	}
}

// run verifies a claimed push, then records its events and stores its
// answer in one transaction.
//
// Each address's verification commits on its own (charged, recorded and
// cached together, as /v1/verify's does), before that transaction. A
// process that dies between the two leaves those verifications charged
// without events, for this one push at most (≤ MaxAddresses), and its
// claim unanswered: the sender's retry with the same webhook-id waits
// with ErrInProgress until the lease ends, then verifies again, mostly
// from the cache, and gets its events. What cannot happen is an event or
// an answer without the verification it reports, or a stored answer
// whose events are missing.
func (s *Service) run(ctx context.Context, w work, c claim) (Answer, error) {
	if s.quota != nil {
		// Without an API key (the endpoint's secret signs a push), only the
		// tenant's own limits apply.
		if err := s.quota.Fits(ctx, w.key.tenant, uuid.Nil, billing.KeyLimits{}, len(w.body.Emails)); err != nil {
			return Answer{}, errors.Join(err, s.release(ctx, w.key, c))
		}
	}
	// From here the work goes on when the sender hangs up: what is charged
	// gets its events and its answer, for the sender's retry to read.
	workCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.WorkTimeout)
	defer cancel()
	done, err := s.verifyAll(workCtx, w)
	if err != nil {
		return Answer{}, errors.Join(fmt.Errorf("verify inbound push: %w", err), s.release(ctx, w.key, c))
	}
	storeCtx, cancelStore := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancelStore()
	var a Answer
	err = s.db.Tx(storeCtx, db.Tenant(w.key.tenant), func(ctx context.Context, tx db.Tx) error {
		var err error
		if a, err = s.record(ctx, tx, w, done); err != nil {
			return err
		}
		return answer(ctx, tx, w.key, c, a)
	})
	if errors.Is(err, errLostClaim) {
		return Answer{}, ErrInProgress
	}
	if err != nil {
		return Answer{}, errors.Join(fmt.Errorf("store inbound push: %w", err), s.release(ctx, w.key, c))
	}
	return a, nil
}
