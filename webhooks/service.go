package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"net/netip"
	"time"

	"github.com/riverqueue/river"

	"mailvet/db"
	"mailvet/mail"
)

// JobInserter is River's client, as far as recording events needs it.
type JobInserter interface {
	InsertManyFastTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) (int, error)
}

// Sealer seals secrets at rest and opens them again (secretbox.Keyring).
// context binds a sealed value to its row and purpose.
type Sealer interface {
	Seal(plain []byte, context string) ([]byte, error)
	Open(sealed []byte, context string) ([]byte, error)
}

// URLChecker refuses endpoint URLs a delivery may not go to (the SSRF
// guard's rules, checked at creation; the dial checks them again). extra
// are the networks the tenant may reach besides the operator's.
type URLChecker interface {
	CheckURL(ctx context.Context, raw string, extra []netip.Prefix) error
}

// Options tune deliveries.
type Options struct {
	// RetrySchedule is the wait before each retry after the first attempt
	// (MAILVET_WEBHOOK_RETRY_SCHEDULE); after the last, a dead letter.
	RetrySchedule []time.Duration
	// DisableAfter is how long every attempt of an endpoint may fail
	// before it is disabled (5 days).
	DisableAfter time.Duration
	// PerEndpoint caps one endpoint's deliveries in flight per process, so
	// a slow endpoint holds at most that many of the queue's workers.
	PerEndpoint int
	// SuspendedRecheck is how often a suspended tenant's delivery looks
	// whether the tenant was resumed (30 s).
	SuspendedRecheck time.Duration
}

// Service records events and manages endpoints, deliveries and pushes in.
type Service struct {
	db     *db.DB
	jobs   JobInserter
	sealer Sealer
	urls   URLChecker
	mail   *mail.Queue
	link   func(path string) string
	opts   Options
	now    func() time.Time
}

// NewService returns a Service. link makes absolute URLs (for the links in
// events and mails).
func NewService(d *db.DB, jobs JobInserter, sealer Sealer, urls URLChecker, mailQueue *mail.Queue, link func(string) string, opts Options) *Service {
	if len(opts.RetrySchedule) == 0 {
		opts.RetrySchedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	}
	if opts.DisableAfter <= 0 {
		opts.DisableAfter = 5 * 24 * time.Hour
	}
	if opts.SuspendedRecheck <= 0 {
		opts.SuspendedRecheck = 30 * time.Second
	}
	if opts.PerEndpoint <= 0 {
		opts.PerEndpoint = 4
	}
	return &Service{db: d, jobs: jobs, sealer: sealer, urls: urls, mail: mailQueue, link: link, opts: opts, now: time.Now}
}

// MaxAttempts is how many attempts a delivery gets: the first and one per
// wait of the schedule.
func (s *Service) MaxAttempts() int { return len(s.opts.RetrySchedule) + 1 }

// RetryDelay is the wait after the given failed attempt (1-based).
func (s *Service) RetryDelay(attempt int) time.Duration {
	i := min(max(attempt-1, 0), len(s.opts.RetrySchedule)-1)
	return s.opts.RetrySchedule[i]
}

// Errors of the package; the app maps each to a problem.
var (
	// ErrNotFound covers other tenants' endpoints, events and deliveries.
	ErrNotFound = errors.New("not found")
	// ErrUnknownEventType: an endpoint asked for a type that does not exist.
	ErrUnknownEventType = errors.New("unknown event type")
	// ErrBadOverlap: a rotation's overlap is not one of the offered ones.
	ErrBadOverlap = errors.New("overlap must be now, 1h, 24h or 7d")
	// ErrInvalidDescription: a description over 500 characters or with
	// control characters.
	ErrInvalidDescription = errors.New("description: use at most 500 characters and no control characters")
	// ErrNotDead: only a dead letter can be retried by hand.
	ErrNotDead = errors.New("the delivery is not a dead letter")
)
