package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/rules"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/webhooks"
)

// work is one claimed push to verify.
type work struct {
	key      pushKey
	body     pushBody
	cacheTTL time.Duration
}

// outcome is one address's: its verdict, or why it has none.
type outcome struct {
	email    string
	result   verify.Result
	exceeded *billing.ExceededError
}

// verifyAll verifies the push's addresses, opts.Parallel at a time, each
// as /v1/verify would without an API key (the tenant's rules, cache and
// quota). A quota refusal of one address is its outcome; any other error
// stops the push.
func (s *Service) verifyAll(ctx context.Context, w work) ([]outcome, error) {
	var rs *rules.RuleSet
	if s.rules != nil {
		var err error
		if rs, err = s.rules.RuleSet(ctx, w.key.tenant); err != nil {
			return nil, err
		}
	}
	out := make([]outcome, len(w.body.Emails))
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	slots := make(chan struct{}, s.opts.Parallel)
	var wg sync.WaitGroup
	for i, email := range w.body.Emails {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			defer func() { <-slots }()
			res, _, err := s.verifier.Verify(ctx, verifications.Request{TenantID: w.key.tenant, Email: email,
				CacheTTL: w.cacheTTL, Rules: rs, Source: usage.SourceInbound})
			var exceeded *billing.ExceededError
			switch {
			case errors.As(err, &exceeded):
				out[i] = outcome{email: email, exceeded: exceeded}
			case err != nil:
				stop(err)
			default:
				out[i] = outcome{email: email, result: res}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	return out, nil
}

// record records a verification.completed event per verified address in
// tx and returns the push's answer.
func (s *Service) record(ctx context.Context, tx db.Tx, w work, done []outcome) (Answer, error) {
	acc := Accepted{Reference: w.body.Reference, Duplicates: w.body.duplicates, EventIDs: []string{}}
	for _, o := range done {
		if o.exceeded != nil {
			acc.NotVerified = append(acc.NotVerified, NotVerified{Email: o.email, Code: "quota_exceeded", Detail: "Not verified: " + o.exceeded.Error() + "."})
			continue
		}
		r := o.result
		checked := r.CheckedAt
		ev, err := s.endpoints.Record(ctx, tx, w.key.tenant, webhooks.VerificationCompleted, webhooks.VerificationData{
			Reference: w.body.Reference, Email: o.email, Status: string(r.Status), Reason: string(r.Reason), Score: r.Score,
			Result: r, CheckedAt: &checked, EndpointID: w.key.endpoint.String()})
		if err != nil {
			return Answer{}, err
		}
		acc.EventIDs = append(acc.EventIDs, ev.ID)
	}
	acc.Accepted = len(acc.EventIDs)
	body, err := json.Marshal(acc)
	if err != nil {
		return Answer{}, err
	}
	return Answer{Status: http.StatusAccepted, Body: body}, nil
}
