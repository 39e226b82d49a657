package lists

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/tenants"
	"mailvet/verify"
	"mailvet/verify/address"
)

// answer is what one run learnt about one due row.
type answer struct {
	result verify.Result
	// answered is false when the run stopped before the engine gave the
	// row a verdict: the row stays pending.
	answered bool
	// live: a verdict the engine just made for a live list, the only kind
	// the tenant's result cache may keep. Rule verdicts would outlive the
	// rule, test-mode ones would answer live requests, and cached ones are
	// there already.
	live bool
}

// writeReserve is the part of a run's time kept for writing its results
// (at most a quarter of the run).
const writeReserve = 10 * time.Second

// engineContext bounds the engine's part of a run so that what it answered
// is written before the job's own deadline cancels everything.
func engineContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	left := time.Until(deadline)
	return context.WithTimeout(ctx, left-min(writeReserve, left/4))
}

// verify answers each due row: the tenant's rules first, then (for a live
// list, when useCache) its cache, then the engine for the rest, grouped in
// one batch call.
func (p *Processor) verify(ctx context.Context, tenantID uuid.UUID, due []pendingRow, testMode, useCache bool, policy tenants.BatchPolicy) ([]answer, error) {
	out := make([]answer, len(due))
	rs, err := p.rules.RuleSet(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var norms []string
	for i, r := range due {
		if res, _, ok := rs.Check(r.Email); ok {
			out[i] = answer{result: res, answered: true}
			continue
		}
		if testMode {
			out[i] = answer{result: verify.TestMode(r.Email), answered: true}
			continue
		}
		norms = append(norms, normalized(r.Email))
	}
	if len(norms) == 0 {
		return out, nil
	}
	cached := map[string]verify.Result{}
	if useCache {
		if cached, err = p.cache.CachedMany(ctx, tenantID, testMode, norms, policy.CacheTTL); err != nil {
			return nil, err
		}
	}
	var emails []string
	var idx []int
	for i, r := range due {
		if out[i].answered {
			continue
		}
		if c, ok := cached[normalized(r.Email)]; ok {
			c.Email = r.Email
			out[i] = answer{result: c, answered: true}
			continue
		}
		emails = append(emails, r.Email)
		idx = append(idx, i)
	}
	engineCtx, cancel := engineContext(ctx)
	defer cancel()
	// The share is the tenant's: its batches running at once keep to the
	// operator's cap together.
	share := verify.Share{Key: tenantID.String(), MaxConnsPerHost: policy.MaxConnsPerMX}
	if len(emails) > 0 {
		defer func(start time.Time) { p.obs.EngineRan(time.Since(start)) }(time.Now())
	}
	p.engine.VerifyBatch(engineCtx, emails, share, func(j int, r verify.Result) {
		if engineCtx.Err() != nil {
			return // given while the run was being stopped: not a verdict on the address
		}
		out[idx[j]] = answer{result: r, answered: true, live: true}
	})
	return out, nil
}

type rowResult struct {
	RowNo  int
	Result verify.Result
}

type rowRetry struct {
	RowNo    int
	Attempts int
	delay    time.Duration // until the row is asked again; also the job's snooze
}

// outcome is a run's answers sorted into what it writes.
type outcome struct {
	final []rowResult
	retry []rowRetry
	live  []verify.Result // for the result cache
	cut   int             // rows left pending, untouched, for the next run
}

// sort decides each due row: a verdict, a retry later (greylisting,
// timeouts), or nothing yet (not answered before the run stopped). A run
// that answered none of its rows counts as an attempt for each of them, so
// that a row the engine cannot answer within the batch's time limit ends as
// unknown/timeout after MaxAttempts runs instead of holding its batch for
// ever; a run that answered some rows goes on at once without counting.
func (p *Processor) sort(due []pendingRow, answers []answer) outcome {
	var out outcome
	progressed := false
	for _, a := range answers {
		progressed = progressed || a.answered
	}
	maxAttempts := p.store.opts.MaxAttempts
	for i, r := range due {
		a := answers[i]
		switch {
		case !a.answered && progressed:
			out.cut++
		case !a.answered && r.Attempts+1 < maxAttempts:
			out.retry = append(out.retry, rowRetry{RowNo: r.RowNo, Attempts: r.Attempts + 1})
		case !a.answered:
			out.final = append(out.final, rowResult{RowNo: r.RowNo, Result: timedOut(r.Email)})
		case a.result.Temporary() && r.Attempts+1 < maxAttempts:
			d := p.store.opts.RetryDelay
			out.retry = append(out.retry, rowRetry{RowNo: r.RowNo, Attempts: r.Attempts + 1, delay: d})
		default:
			out.final = append(out.final, rowResult{RowNo: r.RowNo, Result: a.result})
			if a.live {
				out.live = append(out.live, a.result)
			}
		}
	}
	return out
}

// timedOut is the verdict of a row the engine never answered within a
// batch's time limit.
func timedOut(email string) verify.Result {
	r := verify.Result{Email: email, Status: verify.Unknown, Reason: verify.ReasonTimeout, Score: 40,
		CheckedAt: time.Now().UTC(), Detail: "No answer within the list batch's time limit."}
	if a, problem := address.Parse(email); problem == nil {
		r.Normalized, r.Domain = a.Normalized, a.Domain
	}
	return r
}

func normalized(email string) string {
	a, problem := address.Parse(email)
	if problem != nil {
		return email
	}
	return a.Normalized
}
