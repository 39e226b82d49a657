package inbound

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/rules"
	"mailvet/tenants"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/webhooks"
)

// Endpoints finds a push's endpoint and records the events it causes
// (webhooks.Service).
type Endpoints interface {
	InboundSecret(ctx context.Context, endpointID uuid.UUID) (tenantID uuid.UUID, secret string, enabled bool, err error)
	Record(ctx context.Context, tx db.Tx, tenantID uuid.UUID, eventType string, data any) (webhooks.Event, error)
}

// Verifier verifies one address as /v1/verify does (verifications.Service).
type Verifier interface {
	Verify(ctx context.Context, req verifications.Request) (verify.Result, *billing.Quota, error)
}

// Tenants gives a tenant's status and settings (tenants.Store).
type Tenants interface {
	TenantByID(ctx context.Context, id uuid.UUID) (tenants.Tenant, error)
}

// RuleSource gives a tenant's rules, loaded once per push (rules.Store).
type RuleSource interface {
	RuleSet(ctx context.Context, tenantID uuid.UUID) (*rules.RuleSet, error)
}

// Quota is the cheap check that a whole push fits before any of it is
// verified (billing.Service); the exact count is the Verifier's.
type Quota interface {
	Fits(ctx context.Context, tenantID, keyID uuid.UUID, lim billing.KeyLimits, n int) error
}

// Options tune pushes. Zero values pick the defaults.
type Options struct {
	// Parallel is how many of a push's addresses are verified at once (4).
	Parallel int
	// WorkTimeout bounds the verifying of one push (10 minutes). The work
	// goes on when the sender hangs up, so that what is charged gets its
	// events; a claim older than this and a margin is taken as abandoned
	// by a crashed process and may be taken over.
	WorkTimeout time.Duration
	// Wait is how long a repeat waits for the first push's answer before
	// it gives up with ErrInProgress (10 seconds).
	Wait time.Duration
	// Poll is how often a waiting repeat looks for that answer (100 ms).
	Poll time.Duration
}

// Service takes pushes in.
type Service struct {
	db        *db.DB
	endpoints Endpoints
	verifier  Verifier
	tenants   Tenants
	rules     RuleSource
	quota     Quota
	opts      Options
	now       func() time.Time
}

// NewService returns a Service. ruleSource and quota may be nil (no rules;
// no quota check before verifying, as with a verifications.Service
// without one).
func NewService(d *db.DB, endpoints Endpoints, verifier Verifier, tenantSource Tenants, ruleSource RuleSource, quota Quota, opts Options) *Service {
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.WorkTimeout <= 0 {
		opts.WorkTimeout = 10 * time.Minute
	}
	if opts.Wait <= 0 {
		opts.Wait = 10 * time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = 100 * time.Millisecond
	}
	return &Service{db: d, endpoints: endpoints, verifier: verifier, tenants: tenantSource, rules: ruleSource, quota: quota, opts: opts, now: time.Now}
}

// lease is how old an unanswered claim must be before another process may
// take it over: past the work's own deadline, with time to store it.
func (s *Service) lease() time.Duration { return s.opts.WorkTimeout + storeTimeout + time.Minute }

// storeTimeout bounds the transaction that records a push's events and
// answer.
const storeTimeout = 2 * time.Minute

// Push is one signed request in: the endpoint id of its URL, its headers
// (webhook-id, webhook-timestamp, webhook-signature) and its raw body,
// which the signature covers byte for byte.
type Push struct {
	EndpointID uuid.UUID
	Header     http.Header
	Body       []byte
}

// Answer is what a push is answered with when it was taken: Status is 202
// and Body the JSON of an Accepted. A repeat of the push's webhook-id for
// the same endpoint within 24 hours gets the first Body again, byte for
// byte, with Status 200 and Replayed set: nothing was verified or charged
// again. Refusals are errors instead (see Handle).
type Answer struct {
	Status   int
	Body     []byte
	Replayed bool
}

// ContentType is the Answer's media type.
func (Answer) ContentType() string { return "application/json" }

// Accepted is the body of a 202 answer:
//
//	{"reference": "crm-batch-7", "accepted": 2, "duplicates": 1,
//	 "event_ids": ["evt_0193…", "evt_0193…"]}
//
// reference is the push's, as given ("" when it had none). accepted is
// how many addresses were verified: exact repeats within the push are
// verified once and counted in duplicates. event_ids holds the id of each
// verified address's verification.completed event, in the order the
// addresses first appear; each event carries the address, its verdict and
// the reference. not_verified, present only when the quota ran out part
// of the way through (another request took what was left between the
// check and the charge), lists the addresses that were not verified,
// each with code "quota_exceeded" and a detail: push them again with a
// new webhook-id once there is quota.
type Accepted struct {
	Reference   string        `json:"reference"`
	Accepted    int           `json:"accepted"`
	Duplicates  int           `json:"duplicates"`
	EventIDs    []string      `json:"event_ids"`
	NotVerified []NotVerified `json:"not_verified,omitempty"`
}

// NotVerified is an address of a push left unverified.
type NotVerified struct {
	Email  string `json:"email"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}
