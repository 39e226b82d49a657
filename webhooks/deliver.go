package webhooks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/safetext"
	"mailvet/webhooks/transport"
)

// Poster sends one attempt (transport.Client); extra are the networks
// the endpoint's tenant may reach besides the operator's.
type Poster interface {
	Post(ctx context.Context, url string, extra []netip.Prefix, header http.Header, body []byte) transport.Result
}

// Outcome tells the delivery's job what to do after an attempt.
type Outcome struct {
	// Done: delivered, a dead letter now, or nothing left to send.
	Done bool
	// Wait, when not Done: the receiver asked for it (Retry-After on a 429
	// or 503), or the endpoint has its share of attempts in flight. The
	// job waits without counting an attempt of River's.
	Wait time.Duration
	// Err, when neither: the attempt failed; River retries on the
	// schedule (NextRetry).
	Err error
}

// Deliverer sends deliveries, capping each endpoint's attempts in flight
// in this process.
type Deliverer struct {
	svc    *Service
	poster Poster

	mu    sync.Mutex
	slots map[uuid.UUID]*endpointSlots
	obs   Observer
}

// endpointSlots are one endpoint's attempts in flight: a semaphore of
// Options.PerEndpoint, and how many deliveries hold or wait for it (the
// entry goes when none do).
type endpointSlots struct {
	sem  chan struct{}
	refs int
}

// slotWait is how long a delivery waits in the process for a slot of its
// endpoint before it goes back to River (Outcome.Wait). A fast endpoint's
// slots free within milliseconds, so its deliveries queue here: snoozing
// each of them at once cost a River fetch cycle per delivery and held one
// endpoint to about 50 deliveries a second. A slow endpoint's waiters give
// up soon, so they keep few of the workers other tenants need.
const slotWait = 200 * time.Millisecond

// NewDeliverer returns a Deliverer of svc's deliveries through poster.
func NewDeliverer(svc *Service, poster Poster) *Deliverer {
	return &Deliverer{svc: svc, poster: poster, slots: map[uuid.UUID]*endpointSlots{}, obs: unobserved{}}
}

// target is what one attempt needs, read in one statement.
type target struct {
	state, eventID, payload, url string
	endpointID                   uuid.UUID
	enabled                      bool
	attempts                     int
	secret, previous             []byte
	previousUntil                *time.Time
	suspended                    bool   // the tenant is suspended: deliveries wait
	networks                     []byte // the tenant's extra networks (tenantNetworksSQL)
}

// Deliver makes one attempt of a delivery and records it with what it
// changes (the delivery's state, the endpoint's failing clock) in one
// transaction. jobAttempt is River's count of this job's failed runs.
func (d *Deliverer) Deliver(ctx context.Context, args DeliverArgs, jobAttempt int) (Outcome, error) {
	s := d.svc
	var t target
	// One statement, so db.QueryRow: the tenant and the read share one
	// round trip.
	err := s.db.QueryRow(ctx, db.Tenant(args.TenantID), `SELECT d.state, d.event_id, ev.payload, e.url, e.id, e.enabled, d.attempts, e.secret,
			CASE WHEN e.previous_secret_until > now() THEN e.previous_secret END, e.previous_secret_until, tn.status <> 'active',
			coalesce(tn.operator_settings->'webhook_allow_cidrs', '[]')
		FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
			JOIN tenants tn ON tn.id = d.tenant_id
		WHERE d.tenant_id = $1 AND d.id = $2`, args.TenantID, args.DeliveryID).
		Scan(&t.state, &t.eventID, &t.payload, &t.url, &t.endpointID, &t.enabled, &t.attempts, &t.secret, &t.previous, &t.previousUntil, &t.suspended, &t.networks)
	if err != nil {
		if noRows(err) {
			return Outcome{Done: true}, nil // the endpoint was deleted
		}
		return Outcome{}, err
	}
	if t.state != StatePending {
		return Outcome{Done: true}, nil
	}
	if t.suspended {
		// Held, not failed: a suspension is no fault of the receiver's.
		return Outcome{Wait: s.opts.SuspendedRecheck}, nil
	}
	if !t.enabled {
		return Outcome{Done: true}, d.settle(ctx, args, t, attemptRecord{err: "endpoint disabled: kept as a dead letter to recover once it is enabled again"}, true)
	}
	if !d.acquire(ctx, t.endpointID) {
		return Outcome{Wait: time.Second}, nil
	}
	defer d.release(t.endpointID)
	secrets, err := d.secrets(t)
	if err != nil {
		return Outcome{}, err
	}
	header, err := transport.Headers(secrets, t.eventID, s.now(), []byte(t.payload))
	if err != nil {
		return Outcome{}, err
	}
	networks, err := parseNetworks(t.networks)
	if err != nil {
		return Outcome{}, err
	}
	res := d.poster.Post(ctx, t.url, networks, header, []byte(t.payload))
	rec := recordOf(res)
	final := t.attempts+1 >= s.MaxAttempts() || jobAttempt >= s.MaxAttempts()
	switch {
	case res.Success():
		return Outcome{Done: true}, d.settle(ctx, args, t, rec, false)
	case res.Status == http.StatusGone:
		rec.gone = true
		return Outcome{Done: true}, d.settle(ctx, args, t, rec, true)
	case final:
		return Outcome{Done: true}, d.settle(ctx, args, t, rec, true)
	}
	if err := d.settle(ctx, args, t, rec, false); err != nil {
		return Outcome{}, err
	}
	if res.RetryAfter > 0 {
		return Outcome{Wait: res.RetryAfter}, nil
	}
	return Outcome{Err: &AttemptError{Status: res.Status, Reason: rec.err}}, nil
}

// AttemptError is a failed attempt, as River records it before retrying.
type AttemptError struct {
	Status int
	Reason string
}

func (e *AttemptError) Error() string {
	if e.Status == 0 {
		return "delivery failed: " + e.Reason
	}
	return "delivery failed: HTTP " + strconv.Itoa(e.Status) + " " + e.Reason
}

// secrets opens the endpoint's signing secrets: the current one and,
// during a rotation's overlap, the previous one.
func (d *Deliverer) secrets(t target) ([]string, error) {
	current, err := d.svc.sealer.Open(t.secret, sealContext(t.endpointID, "signing"))
	if err != nil {
		return nil, err
	}
	out := []string{string(current)}
	if t.previous != nil {
		prev, err := d.svc.sealer.Open(t.previous, sealContext(t.endpointID, "signing"))
		if err != nil {
			return nil, err
		}
		out = append(out, string(prev))
	}
	return out, nil
}

// acquire takes a slot of the endpoint's, waiting up to slotWait for one.
func (d *Deliverer) acquire(ctx context.Context, endpoint uuid.UUID) bool {
	d.mu.Lock()
	s := d.slots[endpoint]
	if s == nil {
		s = &endpointSlots{sem: make(chan struct{}, d.svc.opts.PerEndpoint)}
		d.slots[endpoint] = s
	}
	s.refs++
	d.mu.Unlock()
	select {
	case s.sem <- struct{}{}:
		return true
	default:
	}
	wait := time.NewTimer(slotWait)
	defer wait.Stop()
	select {
	case s.sem <- struct{}{}:
		return true
	case <-wait.C:
	case <-ctx.Done():
	}
	d.drop(endpoint, s)
	return false
}

// release gives back a slot acquire took.
func (d *Deliverer) release(endpoint uuid.UUID) {
	d.mu.Lock()
	s := d.slots[endpoint] // there while this delivery holds a slot
	d.mu.Unlock()
	<-s.sem
	d.drop(endpoint, s)
}

func (d *Deliverer) drop(endpoint uuid.UUID, s *endpointSlots) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.refs--; s.refs == 0 {
		delete(d.slots, endpoint)
	}
}

// attemptRecord is an attempt as stored.
type attemptRecord struct {
	sent      bool // an HTTP request went out (false: the endpoint was disabled)
	status    *int
	latencyMS int
	headers   []byte
	body      *string
	err       string
	ok, gone  bool
}

func recordOf(res transport.Result) attemptRecord {
	rec := attemptRecord{sent: true, latencyMS: int(res.Latency.Milliseconds()), ok: res.Success()}
	if res.Status != 0 {
		status := res.Status
		rec.status = &status
		flat := map[string]string{}
		for k, v := range res.Header {
			if len(v) > 0 {
				flat[k] = v[0]
			}
		}
		rec.headers, _ = json.Marshal(flat)
		body := res.Body
		rec.body = &body
		if !rec.ok {
			rec.err = http.StatusText(res.Status)
			if res.Status >= 300 && res.Status < 400 {
				rec.err = "redirects are not followed; point the endpoint at the final URL"
			}
		}
	}
	if res.Err != nil {
		rec.err = safetext.Truncate(res.Err.Error(), 500)
	}
	return rec
}
