package app

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/sethvargo/go-limiter"
	"github.com/sethvargo/go-limiter/memorystore"

	"mailvet/billing"
	"mailvet/tenants"
)

// keyLimiter throttles each API key to its per-minute rate (the key's own,
// or its plan's). Like every go-limiter memorystore it counts per process;
// quotas are the global, exact limit.
type keyLimiter struct {
	store limiter.Store
	mu    sync.Mutex
	rates map[uuid.UUID]uint64 // the rate each key's bucket was set to
}

func newKeyLimiter() (*keyLimiter, error) {
	st, err := memorystore.New(&memorystore.Config{Tokens: 60, Interval: time.Minute})
	if err != nil {
		return nil, err
	}
	return &keyLimiter{store: st, rates: map[uuid.UUID]uint64{}}, nil
}

// take spends one token of the key's bucket, (re)configuring the bucket
// when the key's rate changed (a new plan or key limit).
func (kl *keyLimiter) take(ctx context.Context, keyID uuid.UUID, rate uint64) (limit, remaining, reset uint64, ok bool, err error) {
	kl.mu.Lock()
	if kl.rates[keyID] != rate {
		kl.rates[keyID] = rate
		kl.mu.Unlock()
		if err := kl.store.Set(ctx, keyID.String(), rate, time.Minute); err != nil {
			return 0, 0, 0, false, err
		}
	} else {
		kl.mu.Unlock()
	}
	return kl.store.Take(ctx, keyID.String())
}

// takeKeyToken applies the key's rate; false means it answered 429.
// Headers follow the IETF draft: RateLimit-Limit, RateLimit-Remaining,
// RateLimit-Reset (seconds), and Retry-After on 429.
func (s *Server) takeKeyToken(w http.ResponseWriter, r *http.Request, key tenants.APIKey, plan billing.Plan) bool {
	rate := uint64(plan.RatePerMinute)
	if key.RatePerMinute != nil && uint64(*key.RatePerMinute) < rate {
		rate = uint64(*key.RatePerMinute)
	}
	limit, remaining, reset, ok, err := s.keyLimits.take(r.Context(), key.ID, rate)
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	resetIn := int(max(time.Until(time.Unix(0, int64(reset))), 0).Seconds() + 0.999)
	w.Header().Set("RateLimit-Limit", strconv.FormatUint(limit, 10))
	w.Header().Set("RateLimit-Remaining", strconv.FormatUint(remaining, 10))
	w.Header().Set("RateLimit-Reset", strconv.Itoa(resetIn))
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(max(resetIn, 1)))
		writeProblem(w, r, http.StatusTooManyRequests, "rate_limited", "Rate limit reached",
			"This key may make "+strconv.FormatUint(limit, 10)+" requests per minute. Retry after "+strconv.Itoa(max(resetIn, 1))+" seconds.")
		return false
	}
	return true
}
