package verify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// DefaultDNSCanaries are domains that certainly exist and take mail: when
// the resolver denies them, it is lying, and what it says about other
// domains is no verdict.
var DefaultDNSCanaries = []string{"gmail.com", "outlook.com", "yahoo.com"}

// canaries asks the resolver about the canary domains, at start and then
// on the janitor's ticker, and remembers what it found.
type canaries struct {
	domains []string
	res     *resolver
	timeout time.Duration // bound on one whole check
	first   chan struct{} // closed when the first check is done
	once    sync.Once

	mu      sync.RWMutex
	lying   error // the resolver denies a canary: negative answers are no verdict
	failing error // lying, or no canary could be resolved at all
}

func newCanaries(domains []string, res *resolver, cfg Config) *canaries {
	return &canaries{
		domains: domains, res: res,
		// MX, then A and AAAA of the first MX host (canaries run in parallel).
		timeout: 4 * cfg.DNSTimeout,
		first:   make(chan struct{}),
	}
}

// check asks about every canary, bypassing the cache, and records the
// outcome. While the resolver lies its negative answers are not cached,
// and those cached before it was caught are forgotten.
func (c *canaries) check(ctx context.Context) {
	defer c.once.Do(func() { close(c.first) })
	if len(c.domains) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	answers := make([]domainMail, len(c.domains))
	var wg sync.WaitGroup
	for i, d := range c.domains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = c.res.resolve(ctx, d)
		}()
	}
	wg.Wait()
	var lying, unresolved []string
	ok := 0
	for i, m := range answers {
		switch m.Status {
		case dnsOK:
			ok++
		case dnsNXDomain, dnsNoMail, dnsNullMX:
			lying = append(lying, c.domains[i]+": "+m.Detail)
		default:
			unresolved = append(unresolved, c.domains[i]+": "+m.Detail)
		}
	}
	var lie, fail error
	switch {
	case len(lying) > 0:
		lie = fmt.Errorf("the DNS resolver %s denies domains that certainly exist (%s)", c.res.server, strings.Join(lying, "; "))
		fail = lie
	case ok == 0:
		fail = fmt.Errorf("the DNS resolver %s answers for none of the canary domains (%s)", c.res.server, strings.Join(unresolved, "; "))
	}
	c.res.distrustNegative.Store(lie != nil)
	if lie != nil {
		c.res.cache.deleteIf(func(m domainMail) bool { return m.Status == dnsNXDomain || m.Status == dnsNoMail })
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lying, c.failing = lie, fail
}

// isLying reports the resolver's denial of a canary, if any. Before the
// first check is done it waits for it, within ctx and the check's bound:
// a negative answer just came back, so the resolver answers quickly.
func (c *canaries) isLying(ctx context.Context) error {
	if len(c.domains) == 0 {
		return nil
	}
	select {
	case <-c.first:
	default:
		t := time.NewTimer(c.timeout)
		defer t.Stop()
		select {
		case <-c.first:
		case <-ctx.Done():
		case <-t.C:
		}
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.lying
}

// health is nil while the resolver answers honestly for the canaries (or
// before the first check, or when there are none).
func (c *canaries) health() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.failing
}

// DNSHealth reports whether the engine's DNS can be trusted: an error when
// the resolver denies a canary domain (MAILVET_DNS_CANARIES) or answers
// for none of them. With no canaries configured it is always nil.
func (v *Verifier) DNSHealth() error {
	return v.canaries.health()
}

// normalizeCanaries lower-cases and trims the canary domains and checks
// they look like domain names.
func normalizeCanaries(ds []string) ([]string, error) {
	var out []string
	var errs []error
	for _, d := range ds {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		if d == "" {
			continue
		}
		if !strings.Contains(d, ".") || strings.ContainsAny(d, " /:@,") || strings.Contains(d, "..") {
			errs = append(errs, fmt.Errorf("DNS canary %q: want a domain name such as gmail.com", d))
			continue
		}
		out = append(out, d)
	}
	return out, errors.Join(errs...)
}
