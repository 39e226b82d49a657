// Package transport is the outgoing HTTP side of webhook deliveries: it
// signs a delivery the Standard Webhooks way, checks endpoint URLs when a
// customer saves them, and sends one attempt through a dialer that refuses
// private and special-purpose addresses, keeping a bounded record of the
// answer. Retries, schedules and storage belong to the caller.
package transport

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

const (
	defaultTimeout   = 15 * time.Second
	defaultBodyLimit = 4096
	userAgent        = "mailvet-webhooks/1"
	// maxResponseHeaderBytes bounds what a hostile endpoint can make the
	// worker read before the body limit even applies.
	maxResponseHeaderBytes = 64 << 10
)

// Options configure a Client; the zero value is production's defaults
// with no allowed CIDRs.
type Options struct {
	AllowCIDRs []netip.Prefix // MAILVET_WEBHOOK_ALLOW_CIDRS: reachable despite the guard, on ANY port
	AllowHTTP  bool           // development: http:// URLs allowed (production: https only)
	Timeout    time.Duration  // per attempt, default 15s
	BodyLimit  int            // bytes of the response body kept, default 4096
}

// Client sends webhook attempts. It is safe for concurrent use and keeps
// connections alive between attempts to the same endpoint.
type Client struct {
	allowed   []netip.Prefix // the operator's, for every tenant
	allowHTTP bool
	timeout   time.Duration
	bodyLimit int
	resolver  *net.Resolver
	base      *lane

	mu    sync.Mutex
	lanes map[string]*lane // by the extra allowance's canonical text
}

// lane is one guard and the connections dialled through it. A tenant
// allowed extra networks gets a lane of its own: http.Transport reuses a
// connection by host, so a shared one would let a connection dialled
// under one tenant's allowance carry another tenant's attempt to an
// address its guard refuses. Tenants with the same allowance share a lane,
// which allows each of them exactly what it allows the others.
type lane struct {
	guard *guard
	http  *http.Client
}

// NewClient builds a Client whose every connection passes the SSRF guard.
func NewClient(o Options) *Client {
	c := &Client{
		allowed:   o.AllowCIDRs,
		allowHTTP: o.AllowHTTP,
		timeout:   o.Timeout,
		bodyLimit: o.BodyLimit,
		resolver:  &net.Resolver{},
		lanes:     map[string]*lane{},
	}
	if c.timeout <= 0 {
		c.timeout = defaultTimeout
	}
	if c.bodyLimit <= 0 {
		c.bodyLimit = defaultBodyLimit
	}
	c.base = c.newLane(o.AllowCIDRs)
	return c
}

// laneFor is the lane of a tenant allowed the extra networks (none: the
// base lane). Lanes are kept for the process's life: only operators give
// extra networks, to a handful of tenants, so there are few.
func (c *Client) laneFor(extra []netip.Prefix) *lane {
	if len(extra) == 0 {
		return c.base
	}
	texts := make([]string, len(extra))
	for i, p := range extra {
		texts[i] = p.Masked().String()
	}
	slices.Sort(texts)
	key := strings.Join(slices.Compact(texts), ",")
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.lanes[key]
	if l == nil {
		l = c.newLane(append(slices.Clone(c.allowed), extra...))
		c.lanes[key] = l
	}
	return l
}

// newLane builds a guard of the allowed networks and an HTTP client that
// dials only through it.
func (c *Client) newLane(allowed []netip.Prefix) *lane {
	g := newGuard(allowed)
	// The attempt's context bounds dialing, TLS, headers and body alike;
	// no separate transport timeouts, so a timeout always reads the same.
	dialer := &net.Dialer{
		Control: g.control,
		// The resolver's Dial is not guarded: DNS servers are the
		// operator's choice, and are often private addresses.
		Resolver: c.resolver,
	}
	return &lane{guard: g, http: &http.Client{
		Transport: &http.Transport{
			// No proxy, even if HTTPS_PROXY is set: through a proxy the
			// guard would check the proxy's address, not the endpoint's.
			Proxy:                  nil,
			DialContext:            dialer.DialContext,
			ForceAttemptHTTP2:      true,
			MaxResponseHeaderBytes: maxResponseHeaderBytes,
			MaxIdleConnsPerHost:    2,
			IdleConnTimeout:        90 * time.Second,
			// The body kept is what the endpoint sent, and a small
			// compressed body cannot expand into a large one.
			DisableCompression: true,
		},
		// A redirect is the endpoint's answer, recorded as is: following
		// it would send the signed payload somewhere the customer never
		// configured.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Result records one attempt.
type Result struct {
	Status     int           // 0: no HTTP response
	Latency    time.Duration // until the response headers arrived, or the attempt failed
	Header     http.Header   // response headers (a bounded copy: at most ~50 headers, values truncated to 1 KB)
	Body       string        // first BodyLimit bytes, as valid UTF-8 (cut on a rune boundary)
	RetryAfter time.Duration // from Retry-After (seconds or HTTP date) on 429/503; 0 otherwise; cap at 24h
	Err        error         // transport failure with a readable reason; Status may be set if the body failed
}

// Success reports a 2xx answer received in full (up to the body limit).
// Anything else, 3xx included, is a failed attempt.
func (r Result) Success() bool {
	return r.Err == nil && r.Status >= 200 && r.Status <= 299
}

// Post sends one attempt: body with Content-Type application/json, the
// mailvet User-Agent and the given headers. The whole attempt, body
// reading included, is bounded by the client's Timeout. extra are the
// networks the endpoint's tenant may reach besides the operator's
// (tenants.OperatorSettings).
func (c *Client) Post(ctx context.Context, rawURL string, extra []netip.Prefix, header http.Header, body []byte) Result {
	start := time.Now()
	target, err := c.parseURL(rawURL)
	if err != nil {
		return Result{Err: err}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, c.timeout, &attemptTimeout{after: c.timeout})
	defer cancel()

	request, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), bytes.NewReader(body))
	if err != nil {
		return Result{Err: fmt.Errorf("cannot build the request: %w", err)}
	}
	for name, values := range header {
		request.Header[http.CanonicalHeaderKey(name)] = append([]string(nil), values...)
	}
	request.Header.Set("Content-Type", "application/json")
	request.Header.Set("User-Agent", userAgent)

	response, err := c.laneFor(extra).http.Do(request)
	latency := time.Since(start)
	if err != nil {
		return Result{Latency: latency, Err: c.explain(ctx, err)}
	}
	defer response.Body.Close()

	result := Result{
		Status:  response.StatusCode,
		Latency: latency,
		Header:  boundedHeader(response.Header),
	}
	if response.StatusCode == http.StatusTooManyRequests || response.StatusCode == http.StatusServiceUnavailable {
		result.RetryAfter = parseRetryAfter(response.Header.Get("Retry-After"), time.Now())
	}
	// Reading stops at the limit; closing an unread body drops the
	// connection instead of draining it, so a 10 MB or endless body costs
	// no more than BodyLimit bytes.
	kept, err := io.ReadAll(io.LimitReader(response.Body, int64(c.bodyLimit)))
	result.Body = validUTF8Prefix(kept, c.bodyLimit)
	if err != nil {
		result.Err = fmt.Errorf("reading the response body: %w", c.explain(ctx, err))
	}
	return result
}

// parseURL repeats, without DNS, the checks of CheckURL that the dial
// guard cannot make, so an endpoint saved under other options (http in
// development) is still refused.
func (c *Client) parseURL(rawURL string) (*url.URL, error) {
	target, reason := c.parseShape(rawURL)
	if reason != "" {
		return nil, &URLError{Reason: reason}
	}
	return target, nil
}
