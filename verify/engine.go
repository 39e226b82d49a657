// Package verify is the email verification engine: syntax, data lists,
// DNS and SMTP probing with pooled, pipelined connections. It imports
// nothing else of mailvet and can be used as a library.
package verify

import (
	"context"
	"fmt"
	"sync"
	"time"

	"mailvet/verify/address"
	"mailvet/verify/domains"
)

// Verifier checks addresses. It is safe for concurrent use; make one per
// process and Close it at the end.
type Verifier struct {
	cfg      Config
	lists    *domains.Lists
	resolver *resolver
	pool     *pool
	catchAll *catchAllMemory
	canaries *canaries
	shares   *shares
	counts   *counters
	stop     chan struct{}
	wg       sync.WaitGroup
}

// New builds a Verifier.
func New(cfg Config) (*Verifier, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dial, err := cfg.dialer()
	if err != nil {
		return nil, err
	}
	lists, err := domains.Load()
	if err != nil {
		return nil, fmt.Errorf("load domain lists: %w", err)
	}
	counts := &counters{}
	res, err := newResolver(cfg, counts)
	if err != nil {
		return nil, err
	}
	v := &Verifier{
		cfg: cfg, lists: lists, resolver: res, pool: newPool(cfg, dial, counts), counts: counts,
		catchAll: newCatchAllMemory(cfg.CatchAllTTL, cfg.MemoryEntries), stop: make(chan struct{}),
		canaries: newCanaries(cfg.DNSCanaries, res, cfg), shares: newShares(counts),
	}
	v.wg.Add(2)
	go v.janitor()
	go v.watchDNS()
	return v, nil
}

// Close drops pooled connections and stops background work.
func (v *Verifier) Close() {
	close(v.stop)
	v.wg.Wait()
	v.pool.closeAll()
}

func (v *Verifier) janitor() {
	defer v.wg.Done()
	t := time.NewTicker(max(v.cfg.IdleTimeout/2, time.Second))
	defer t.Stop()
	var handOver <-chan time.Time // only with slots shared between processes
	if v.cfg.Slots != nil {
		h := time.NewTicker(handOverIdleEvery)
		defer h.Stop()
		handOver = h.C
	}
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
			v.pool.sweep()
		case <-handOver:
			v.pool.handOverIdle()
		}
	}
}

// watchDNS checks the canary domains at start and then periodically, on
// its own goroutine so that a slow resolver delays no verification.
func (v *Verifier) watchDNS() {
	defer v.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-v.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	v.canaries.check(ctx)
	if len(v.cfg.DNSCanaries) == 0 {
		return
	}
	t := time.NewTicker(v.cfg.DNSCanaryInterval)
	defer t.Stop()
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
			v.canaries.check(ctx)
		}
	}
}

// Verify checks one address.
func (v *Verifier) Verify(ctx context.Context, email string) Result {
	var out Result
	v.VerifyBatch(ctx, []string{email}, Share{}, func(_ int, r Result) { out = r })
	return out
}

// VerifyBatch checks many addresses, calling emit once per address (with
// its index in emails) as results become known, from several goroutines
// but never concurrently. Addresses are grouped by domain and MX host so
// that one pooled, pipelined connection serves many of them. share bounds
// the batch's connections per MX together with every other batch of the
// same share.
func (v *Verifier) VerifyBatch(ctx context.Context, emails []string, share Share, emit func(i int, r Result)) {
	newBatch(v, share, emit).run(ctx, emails)
}

// precheck does everything short of the network: syntax, data lists.
// done=true means the result is final.
func (v *Verifier) precheck(raw string) (r Result, addr address.Address, done bool) {
	start := time.Now()
	r = Result{Email: raw, CheckedAt: start.UTC()}
	addr, problem := address.Parse(raw)
	if problem != nil {
		return invalidSyntax(raw, problem, start), addr, true
	}
	r.Normalized, r.Domain = addr.Normalized, addr.Domain
	r.Suggestion = strPtr(address.Suggest(addr.Domain))
	r.Flags = Flags{
		Disposable: v.lists.Disposable(addr.Domain),
		Role:       v.lists.Role(addr.Local),
		Free:       v.lists.Free(addr.Domain),
	}
	switch {
	case addr.IPLiteral:
		r.Status, r.Reason = Undeliverable, ReasonInvalidDomain
		r.Detail = "The domain is an IP address literal; mail for lists must go to a named domain."
		return r, addr, true
	case r.Flags.Disposable:
		r.Status, r.Reason = Risky, ReasonDisposable
		r.Detail = "The domain hands out throwaway addresses."
		return r, addr, true
	}
	return r, addr, false
}

// finish stamps score and duration on a result.
func finish(r Result, start time.Time) Result {
	r.Score = score(r.Status, r.Reason, r.Flags)
	r.DurationMS = time.Since(start).Milliseconds()
	return r
}
