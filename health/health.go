// Package health runs the service's dependency checks: each one named,
// required or optional, bounded by its own timeout, all run at once and
// the whole bounded by a budget, so that a report comes back in time
// whatever hangs. /health serves a Report; anything else that watches the
// service (an alerting job) runs the same Checker through Run.
//
// A failing required check (the database, its migrations) makes the
// service unfit to serve: Report.Status is failing and /health answers
// 503. A failing optional one (SMTP egress, DNS, Stripe, the mailer,
// River, disk) leaves it serving with less: degraded, 200.
package health

import (
	"context"
	"net/http"
	"time"
)

// Status is a check's or a report's state.
type Status string

const (
	OK            Status = "ok"
	Failing       Status = "failing"
	NotConfigured Status = "not_configured" // a check's only: nothing to check, not a failure
	Degraded      Status = "degraded"       // a report's only: an optional check fails
)

// Budget bounds a whole Run: /health promises an answer within 2 s, and
// writing it needs some of that.
const Budget = 1800 * time.Millisecond

// DefaultTimeout bounds one check whose Timeout is zero.
const DefaultTimeout = 1500 * time.Millisecond

// Probe asks one dependency whether it works. It honours ctx's deadline
// (Run stops waiting at the deadline anyway) and returns a short detail
// for monitoring, or why it failed.
type Probe func(ctx context.Context) (detail string, err error)

// Check is one named dependency check.
type Check struct {
	Name     string
	Required bool          // failing: the report fails (503); else it is degraded
	Timeout  time.Duration // zero: DefaultTimeout; at most Budget
	// Reuse is how long a result stands before the dependency is asked
	// again: load balancers ask every few seconds, and an MX host or
	// Stripe should not be asked that often. Zero: asked on every Run
	// (concurrent Runs still share one probe in flight).
	Reuse time.Duration
	// Probe is nil when there is nothing to check (the dependency is not
	// configured); Unconfigured then says why.
	Probe        Probe
	Unconfigured string
}

// Result is one check's outcome.
type Result struct {
	Name      string
	Required  bool
	Status    Status // ok | failing | not_configured
	LatencyMS float64
	Detail    string
}

// Report is every check's result, in the order the checks were given,
// and the overall status: ok, degraded or failing.
type Report struct {
	Status Status
	Checks []Result
}

// HTTPStatus is the code /health answers the report with: 503 when a
// required check fails, 200 otherwise (degraded included).
func (r Report) HTTPStatus() int {
	if r.Status == Failing {
		return http.StatusServiceUnavailable
	}
	return http.StatusOK
}

// Failing lists the checks that fail, required first.
func (r Report) Failing() []Result {
	var req, opt []Result
	for _, c := range r.Checks {
		switch {
		case c.Status != Failing:
		case c.Required:
			req = append(req, c)
		default:
			opt = append(opt, c)
		}
	}
	return append(req, opt...)
}

// Checker runs a fixed set of checks. It is safe for concurrent use; make
// one per process so that its reuse of results holds across callers.
type Checker struct {
	budget time.Duration
	slots  []*slot
	// observe, when set, is told each configured check's outcome after
	// every run (the metrics' mailvet_health_check_up).
	observe func(check string, up bool)
}

// Observe makes every run tell observe whether each configured check
// passed. Call it before the Checker is shared.
func (c *Checker) Observe(observe func(check string, up bool)) { c.observe = observe }

// New returns a Checker over checks, run within Budget.
func New(checks ...Check) *Checker {
	c := &Checker{budget: Budget}
	for _, ch := range checks {
		if ch.Timeout <= 0 {
			ch.Timeout = DefaultTimeout
		}
		ch.Timeout = min(ch.Timeout, c.budget)
		c.slots = append(c.slots, &slot{Check: ch})
	}
	return c
}

// Run runs every check concurrently and returns within the budget (or
// ctx's deadline, if sooner): a check still running then is failing,
// timed out, and is left to finish on its own.
func (c *Checker) Run(ctx context.Context) Report {
	ctx, cancel := context.WithTimeout(ctx, c.budget)
	defer cancel()
	results := make([]Result, len(c.slots))
	done := make(chan struct{}, len(c.slots))
	for i, s := range c.slots {
		go func() {
			results[i] = s.result(ctx)
			done <- struct{}{}
		}()
	}
	for range c.slots {
		<-done // each result returns by its own bound, within ctx's
	}
	if c.observe != nil {
		for _, r := range results {
			if r.Status != NotConfigured {
				c.observe(r.Name, r.Status == OK)
			}
		}
	}
	return Report{Status: overall(results), Checks: results}
}

func overall(results []Result) Status {
	status := OK
	for _, r := range results {
		if r.Status == Failing {
			if r.Required {
				return Failing
			}
			status = Degraded
		}
	}
	return status
}
