// Package schedules owns scheduled re-validation: a list's schedule, the
// periodic tick that enqueues each due period once, the runs that verify
// the list's unique addresses again (skipping the cache) and the decay
// each run found, stored only for the addresses whose status changed.
package schedules

import (
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Schedule is a list's re-validation schedule.
type Schedule struct {
	ID        uuid.UUID  `json:"id"`
	ListID    uuid.UUID  `json:"list_id"`
	Every     string     `json:"every"`
	Cron      string     `json:"cron"`
	TimeZone  string     `json:"time_zone"`
	Paused    bool       `json:"paused"`
	NextRunAt *time.Time `json:"next_run_at"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Run is one re-validation of a list.
type Run struct {
	ID            uuid.UUID    `json:"id"`
	ListID        uuid.UUID    `json:"list_id"`
	ScheduleID    *uuid.UUID   `json:"schedule_id"`
	Trigger       string       `json:"trigger"`
	Period        *time.Time   `json:"period"`
	Status        string       `json:"status"`
	FailureCode   *string      `json:"failure_code"`
	FailureReason *string      `json:"failure_reason"`
	Total         int          `json:"total"`
	Checked       int          `json:"checked"`
	Unconfirmed   int          `json:"unconfirmed"`
	Changed       int          `json:"changed"`
	Charged       int          `json:"charged"`
	Counts        Counts       `json:"counts"`
	Transitions   []Transition `json:"transitions"`
	CreatedAt     time.Time    `json:"created_at"`
	StartedAt     *time.Time   `json:"started_at"`
	CompletedAt   *time.Time   `json:"completed_at"`

	tenantID   uuid.UUID
	testMode   bool
	checkpoint int
	refunded   int
}

// Counts are the list's verdicts after a run.
type Counts struct {
	Deliverable   int `json:"deliverable"`
	Undeliverable int `json:"undeliverable"`
	Risky         int `json:"risky"`
	Unknown       int `json:"unknown"`
}

// DeliverableShare is the part of the checked addresses that were
// deliverable after the run (0 to 1).
func (c Counts) DeliverableShare() float64 {
	total := c.Deliverable + c.Undeliverable + c.Risky + c.Unknown
	if total == 0 {
		return 0
	}
	return float64(c.Deliverable) / float64(total)
}

// Transition is how many addresses went from one status to another.
type Transition struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
}

// Change is one address whose status a run changed.
type Change struct {
	Row       int    `json:"row"`
	Email     string `json:"email"`
	OldStatus string `json:"old_status"`
	NewStatus string `json:"new_status"`
	NewReason string `json:"new_reason"`
}

// Run statuses and triggers.
const (
	RunQueued    = "queued"
	RunRunning   = "running"
	RunCompleted = "completed"
	RunFailed    = "failed"
	RunCancelled = "cancelled"

	TriggerSchedule = "schedule"
	TriggerManual   = "manual"
)

// Finished reports whether the run will do no more work.
func (r Run) Finished() bool {
	return r.Status == RunCompleted || r.Status == RunFailed || r.Status == RunCancelled
}

// Failure codes of a run (failure_code): stable, for CRMs.
const (
	FailQuota    = "quota_exceeded"
	FailEngine   = "engine_unavailable"
	FailError    = "run_error"
	FailCanceled = "cancelled"
	FailNoList   = "list_not_ready"
)

var (
	// ErrNotFound: no schedule on this list (or the list is another
	// tenant's, or of the other mode).
	ErrNotFound = errors.New("schedule not found")
	// ErrRunNotFound: no such run of this list.
	ErrRunNotFound = errors.New("run not found")
	// ErrUnknownTimeZone: not an IANA time zone name.
	ErrUnknownTimeZone = errors.New("unknown time zone")
	// ErrListNotReady: the list is still being verified (or stopped
	// before it finished): there is nothing to verify again yet.
	ErrListNotReady = errors.New("the list has not finished its first verification")
	// ErrRunActive: a run of this list is already queued or running.
	ErrRunActive = errors.New("a run of this list is already queued or running")
	// ErrRunFinished: the run can no longer be cancelled.
	ErrRunFinished = errors.New("run already finished")
)

// CronError is an expression that does not parse.
type CronError struct {
	Expr   string
	Reason string
}

func (e *CronError) Error() string {
	return fmt.Sprintf("cron expression %q does not parse: %s", e.Expr, e.Reason)
}

// TooFrequentError is a schedule that would run more often than the plan
// allows.
type TooFrequentError struct {
	Plan     string
	Interval time.Duration // the shortest gap between two runs of the schedule
	Minimum  time.Duration // the plan's
}

func (e *TooFrequentError) Error() string {
	return fmt.Sprintf("the schedule runs every %s at its most frequent; the %s plan allows at most one run every %s",
		Duration(e.Interval), e.Plan, Duration(e.Minimum))
}

// Duration names a gap for people: "5 minutes", "1 hour", "7 days".
func Duration(d time.Duration) string {
	unit, name := time.Minute, "minute"
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		unit, name = 24*time.Hour, "day"
	case d >= time.Hour && d%time.Hour == 0:
		unit, name = time.Hour, "hour"
	}
	n := int(d / unit)
	if n == 1 {
		return "1 " + name
	}
	return fmt.Sprintf("%d %ss", n, name)
}
