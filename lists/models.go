// Package lists owns bulk verification: uploads streamed into PostgreSQL
// with COPY, de-duplicated, verified by River batch jobs that checkpoint
// their results, and exported back with the original columns.
package lists

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// List is one uploaded list and its progress.
type List struct {
	ID            uuid.UUID  `bun:"id,pk,type:uuid" json:"id"`
	TenantID      uuid.UUID  `bun:"tenant_id,type:uuid" json:"-"`
	Name          string     `bun:"name" json:"name"`
	Status        string     `bun:"status" json:"status"`
	Dedupe        string     `bun:"dedupe" json:"dedupe"`
	EmailColumn   int        `bun:"email_column" json:"email_column"`
	Header        []string   `bun:"header,array" json:"header"`
	TotalRows     int        `bun:"total_rows" json:"total_rows"`
	UniqueRows    int        `bun:"unique_rows" json:"unique_rows"`
	DuplicateRows int        `bun:"duplicate_rows" json:"duplicate_rows"`
	SkippedRows   int        `bun:"skipped_rows" json:"skipped_rows"`
	ProcessedRows int        `bun:"processed_rows" json:"processed_rows"`
	Deliverable   int        `bun:"deliverable" json:"-"`
	Undeliverable int        `bun:"undeliverable" json:"-"`
	Risky         int        `bun:"risky" json:"-"`
	Unknown       int        `bun:"unknown" json:"-"`
	Batches       int        `bun:"batches" json:"-"`
	CreatedBy     *uuid.UUID `bun:"created_by,type:uuid" json:"-"`
	APIKeyID      *uuid.UUID `bun:"api_key_id,type:uuid" json:"-"`
	TestMode      bool       `bun:"test_mode" json:"test_mode"`
	Idempotency   *string    `bun:"idempotency_key" json:"-"`
	RequestHash   []byte     `bun:"request_hash" json:"-"`
	CreatedAt     time.Time  `bun:"created_at" json:"created_at"`
	StartedAt     *time.Time `bun:"started_at" json:"started_at"`
	CompletedAt   *time.Time `bun:"completed_at" json:"completed_at"`

	// The recent rate (see rateWindow): kept by the batch writer under the
	// list's row lock.
	RateMarkAt   *time.Time `bun:"rate_mark_at" json:"-"`
	RateMarkRows int        `bun:"rate_mark_rows" json:"-"`
	RecentRate   *float64   `bun:"recent_rate" json:"-"`
	RecentRateAt *time.Time `bun:"recent_rate_at" json:"-"`

	// DeferredRows are pending rows a mail server deferred (greylisting,
	// other temporary answers), waiting for their retry; NextRetryAt is
	// the earliest of those retries. Read by Get and ListAll, not stored.
	DeferredRows int        `bun:"-" json:"deferred_rows"`
	NextRetryAt  *time.Time `bun:"-" json:"next_retry_at"`

	bun.BaseModel `bun:"table:lists"`
}

// Statuses of a list.
const (
	StatusQueued    = "queued"
	StatusRunning   = "running"
	StatusCompleted = "completed"
	StatusCancelled = "cancelled"
	StatusFailed    = "failed"
)

// Finished reports whether no more work will happen on the list.
func (l List) Finished() bool {
	return l.Status == StatusCompleted || l.Status == StatusCancelled || l.Status == StatusFailed
}

// Counts is the verdict breakdown.
type Counts struct {
	Deliverable   int `json:"deliverable"`
	Undeliverable int `json:"undeliverable"`
	Risky         int `json:"risky"`
	Unknown       int `json:"unknown"`
}

// Counts returns the list's verdict counts.
func (l List) Counts() Counts {
	return Counts{Deliverable: l.Deliverable, Undeliverable: l.Undeliverable, Risky: l.Risky, Unknown: l.Unknown}
}

// Dedupe modes.
const (
	DedupeNone            = "none"
	DedupeExact           = "exact"
	DedupeCaseInsensitive = "case_insensitive"
	DedupeProviderAware   = "provider_aware"
)

var (
	// ErrNotFound covers lists of other tenants too.
	ErrNotFound = errors.New("list not found")
	// ErrIdempotencyMismatch: the key was used with another request body.
	ErrIdempotencyMismatch = errors.New("idempotency key already used with a different request")
	// ErrFinished: the list can no longer be cancelled.
	ErrFinished = errors.New("list already finished")
	// ErrEmpty: nothing in the upload to verify or report.
	ErrEmpty = errors.New("the file has no rows")
	// ErrInvalidName: a list name must be 1 to MaxNameChars characters
	// without control characters.
	ErrInvalidName = errors.New("invalid list name: use 1 to 200 characters and no control characters")
)
