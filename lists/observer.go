package lists

import (
	"time"

	"mailvet/verify"
)

// Observer is told what the processor did, for monitoring
// (metrics.Metrics): each list row's verdict as it is written, and the
// engine's time on a batch. An interface of the package's own, so that it
// knows no metrics system and its tests need none.
type Observer interface {
	Verified(source string, r verify.Result)
	RowsProcessed(n int)
	EngineRan(elapsed time.Duration)
}

// WithObserver reports to o.
func (p *Processor) WithObserver(o Observer) *Processor {
	p.obs = o
	return p
}

// unobserved is the Observer of a processor that reports to none.
type unobserved struct{}

func (unobserved) Verified(string, verify.Result) {}
func (unobserved) RowsProcessed(int)              {}
func (unobserved) EngineRan(time.Duration)        {}
