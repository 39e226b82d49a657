package verify

import "sync/atomic"

// Stats is a snapshot of the engine's counters since it was built, for
// monitoring. The engine counts with plain atomics and knows nothing of
// the metrics system that reads them (Verifier.Stats).
type Stats struct {
	// SMTP connection pool.
	ConnsOpen  int    // connections open now, in use or idle
	ConnsIdle  int    // open connections waiting for reuse
	Dials      uint64 // new connections attempted
	Reuses     uint64 // transactions served by a pooled connection
	MXWaits    uint64 // leases that waited for a per-MX-host slot (the pool's cap, a Share's, or the slots shared with other processes)
	Replies421 uint64 // 421 replies (host busy or closing), at greeting or later
	Replies452 uint64 // 452 replies (too many recipients, storage)

	// DNS answer cache.
	DNSCacheHits   uint64
	DNSCacheMisses uint64
}

// counters are the engine's running counts behind Stats; one per Verifier,
// shared by its pool, connections and resolver.
type counters struct {
	dials, reuses, mxWaits     atomic.Uint64
	replies421, replies452     atomic.Uint64
	dnsCacheHits, dnsCacheMiss atomic.Uint64
}

// reply counts the replies monitoring watches for.
func (c *counters) reply(code int) {
	if c == nil {
		return
	}
	switch code {
	case 421:
		c.replies421.Add(1)
	case 452:
		c.replies452.Add(1)
	}
}

// Stats returns the engine's counters and its pool's current size.
func (v *Verifier) Stats() Stats {
	open, idle := v.pool.size()
	c := v.counts
	return Stats{
		ConnsOpen: open, ConnsIdle: idle,
		Dials: c.dials.Load(), Reuses: c.reuses.Load(), MXWaits: c.mxWaits.Load(),
		Replies421: c.replies421.Load(), Replies452: c.replies452.Load(),
		DNSCacheHits: c.dnsCacheHits.Load(), DNSCacheMisses: c.dnsCacheMiss.Load(),
	}
}

// size is how many connections are open (each holds a global token) and
// how many of them are idle.
func (p *pool) size() (open, idle int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, h := range p.hosts {
		idle += len(h.idle)
	}
	return len(p.global), idle
}
