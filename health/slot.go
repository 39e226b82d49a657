package health

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// slot runs one check's probe for whoever asks: at most one probe in
// flight, its result kept for Reuse. A probe is not the caller's: it runs
// on its own goroutine, bounded by the check's timeout, so that a caller
// giving up (its budget spent) neither cancels it for the others waiting
// nor waits for a probe that ignores its deadline.
type slot struct {
	Check

	mu      sync.Mutex
	last    Result
	at      time.Time     // when last was found; zero: never
	running chan struct{} // non-nil while a probe runs; closed when it ends
}

// result is the check's current result, waiting for a probe at most the
// check's timeout and never past ctx.
func (s *slot) result(ctx context.Context) Result {
	if s.Probe == nil {
		return Result{Name: s.Name, Required: s.Required, Status: NotConfigured, Detail: s.Unconfigured}
	}
	start := time.Now()
	s.mu.Lock()
	if !s.at.IsZero() && time.Since(s.at) < s.Reuse {
		r := s.last
		s.mu.Unlock()
		return r
	}
	done := s.running
	if done == nil {
		done = make(chan struct{})
		s.running = done
		go s.probe(context.WithoutCancel(ctx), done)
	}
	s.mu.Unlock()

	wait := time.NewTimer(s.Timeout)
	defer wait.Stop()
	select {
	case <-done:
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.last
	case <-wait.C:
	case <-ctx.Done():
	}
	return Result{Name: s.Name, Required: s.Required, Status: Failing, LatencyMS: millis(time.Since(start)),
		Detail: fmt.Sprintf("timed out after %s", time.Since(start).Round(time.Millisecond))}
}

// probe asks the dependency once and records the result.
func (s *slot) probe(ctx context.Context, done chan struct{}) {
	defer close(done)
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	start := time.Now()
	detail, err := s.Probe(ctx)
	r := Result{Name: s.Name, Required: s.Required, Status: OK, Detail: detail, LatencyMS: millis(time.Since(start))}
	if err != nil {
		r.Status, r.Detail = Failing, err.Error()
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			r.Detail = fmt.Sprintf("timed out after %s: %v", s.Timeout, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last, s.at, s.running = r, time.Now(), nil
}

func millis(d time.Duration) float64 {
	return float64(d.Microseconds()) / 1000
}
