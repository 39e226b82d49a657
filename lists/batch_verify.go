package lists

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"mailvet/tenants"
	"mailvet/verify"
	"mailvet/verify/address"
)

// answers is what one run learnt about its due rows, by the rows' index:
// a result for each, and whether it is one. answered[i] is false when the
// run stopped before the engine gave row i a verdict: the row stays
// pending. Two slices rather than one of pairs: results can go whole to
// the result cache, which keeps only the live engine verdicts among them
// (rule verdicts would outlive the rule, test-mode ones would answer live
// requests, cached ones are there already, and unanswered rows carry
// none), and the batch's write reads them where they are, without a copy.
type answers struct {
	results  []verify.Result
	answered []bool
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
func (p *Processor) verify(ctx context.Context, tenantID uuid.UUID, due []pendingRow, testMode, useCache bool, policy tenants.BatchPolicy) (answers, error) {
	out := answers{results: make([]verify.Result, len(due)), answered: make([]bool, len(due))}
	rs, err := p.rules.RuleSet(ctx, tenantID)
	if err != nil {
		return answers{}, err
	}
	var norms []string
	for i, r := range due {
		if res, _, ok := rs.Check(r.Email); ok {
			out.results[i], out.answered[i] = res, true
			continue
		}
		if testMode {
			out.results[i], out.answered[i] = verify.TestMode(r.Email), true
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
			return answers{}, err
		}
	}
	emails, idx := make([]string, 0, len(norms)), make([]int, 0, len(norms))
	for i, r := range due {
		if out.answered[i] {
			continue
		}
		if c, ok := cached[normalized(r.Email)]; ok {
			c.Email = r.Email
			out.results[i], out.answered[i] = c, true
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
		out.results[idx[j]], out.answered[idx[j]] = r, true
	})
	return out, nil
}

type rowRetry struct {
	RowNo    int
	Attempts int
	delay    time.Duration // until the row is asked again; also the job's snooze
}

// outcome is a run's answers sorted into what it writes.
type outcome struct {
	due     []pendingRow
	answers answers
	final   []int // indexes of the due rows written with their answer
	retry   []rowRetry
	cut     int // rows left pending, untouched, for the next run
}

// sort decides each due row: a verdict, a retry later (greylisting,
// timeouts), or nothing yet (not answered before the run stopped). A run
// that answered none of its rows counts as an attempt for each of them, so
// that a row the engine cannot answer within the batch's time limit ends as
// unknown/timeout after MaxAttempts runs instead of holding its batch for
// ever; a run that answered some rows goes on at once without counting.
func (p *Processor) sort(due []pendingRow, a answers) outcome {
	out := outcome{due: due, answers: a, final: make([]int, 0, len(due))}
	progressed := slices.Contains(a.answered, true)
	maxAttempts := p.store.opts.MaxAttempts
	for i, r := range due {
		switch {
		case !a.answered[i] && progressed:
			out.cut++
		case !a.answered[i] && r.Attempts+1 < maxAttempts:
			out.retry = append(out.retry, rowRetry{RowNo: r.RowNo, Attempts: r.Attempts + 1})
		case !a.answered[i]:
			a.results[i] = timedOut(r.Email)
			out.final = append(out.final, i)
		case a.results[i].Temporary() && r.Attempts+1 < maxAttempts:
			d := p.store.opts.RetryDelay
			out.retry = append(out.retry, rowRetry{RowNo: r.RowNo, Attempts: r.Attempts + 1, delay: d})
		default:
			out.final = append(out.final, i)
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
