package verifications

import (
	"time"

	"mailvet/verify"
)

// Observer is told what the service did, for monitoring (metrics.Metrics):
// each verification recorded with its usage source, result cache lookups
// and the engine's time on a live verification. An interface of the
// package's own, so that it knows no metrics system and its tests need
// none.
type Observer interface {
	Verified(source string, r verify.Result)
	CacheLookups(hits, misses int)
	EngineRan(elapsed time.Duration)
}

// WithObserver reports to o.
func (s *Service) WithObserver(o Observer) *Service {
	s.obs = o
	return s
}

// unobserved is the Observer of a service that reports to none.
type unobserved struct{}

func (unobserved) Verified(string, verify.Result) {}
func (unobserved) CacheLookups(int, int)          {}
func (unobserved) EngineRan(time.Duration)        {}
