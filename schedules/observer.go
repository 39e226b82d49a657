package schedules

import "mailvet/verify"

// Observer is told what runs did, for monitoring (metrics.Metrics): each
// verdict a run wrote, under the usage source "schedule", and each run's
// end, completed or failed. An interface of the package's own, so that it
// knows no metrics system and its tests need none.
type Observer interface {
	Verified(source string, r verify.Result)
	ScheduledRun(outcome string)
}

// SourceSchedule is what a run's verdicts count under in monitoring (its
// usage counts as the list's: usage.SourceList).
const SourceSchedule = "schedule"

// WithObserver reports to o.
func (r *Runner) WithObserver(o Observer) *Runner {
	r.obs = o
	return r
}

// unobserved is the Observer of a runner that reports to none.
type unobserved struct{}

func (unobserved) Verified(string, verify.Result) {}
func (unobserved) ScheduledRun(string)            {}
