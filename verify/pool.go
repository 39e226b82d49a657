package verify

import (
	"context"
	"sync"
	"time"
)

// pool keeps SMTP connections per MX address for reuse, capping how many
// are in use per host (polite to receivers, and what they tolerate before
// answering 421) and open in all.
type pool struct {
	cfg    Config
	dial   dialFunc
	counts *counters

	global chan struct{} // one token per open connection

	mu    sync.Mutex
	hosts map[string]*hostPool
}

type hostPool struct {
	slots chan struct{} // one token per connection in use
	idle  []*smtpConn
	// retired slots are held by the pool itself after the host refused a
	// connection as busy (421), lowering our concurrency towards its cap.
	retired   int
	retiredAt time.Time
	// lastUsed is when host() last handed this pool out; sweep forgets a
	// host unused for longer than IdleTimeout with nothing open or held.
	lastUsed time.Time
	// users are the batches with work for this host (use, done); linger
	// closes the idle connections once none has (closeIdleOf).
	users       int
	linger      *time.Timer
	unusedSince time.Time // when users last fell to 0
	// yieldUntil: the process handed one of this host's slots to another
	// (ConnSlots.HandOver) and takes none until then.
	yieldUntil time.Time
	// open counts this process's connections to the host (in use or idle,
	// each holding one of its ConnSlots), wanting the leases waiting in get
	// for one, and back wakes a lease waiting for a shared slot when a
	// connection comes back idle (slotOrIdle).
	open, wanting int
	back          chan struct{}
	// asking: a lease of this host is asking ConnSlots for a slot.
	asking bool
}

// retireFor is how long a lowered per-host cap lasts before one slot is
// given back.
const retireFor = 10 * time.Minute

func newPool(cfg Config, dial dialFunc, counts *counters) *pool {
	return &pool{cfg: cfg, dial: dial, counts: counts, global: make(chan struct{}, cfg.MaxConns), hosts: map[string]*hostPool{}}
}

func (p *pool) host(addr string) *hostPool {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.hosts[addr]
	if !ok {
		h = &hostPool{slots: make(chan struct{}, p.cfg.MaxConnsPerHost), back: make(chan struct{}, 1)}
		p.hosts[addr] = h
	}
	h.lastUsed = time.Now()
	return h
}

// lease is a connection checked out of the pool.
type lease struct {
	conn   *smtpConn
	banner reply // set when a new connection was refused at greeting
	fresh  bool
	h      *hostPool
	// releaseShare gives back the batch's Share slot (see connect), after
	// the pool has its connection back.
	releaseShare func()
}

// get returns a connection to addr: an idle one if any, else a new one.
// It waits while the host is at its cap. A nil conn with a banner means the
// server refused us at greeting.
func (p *pool) get(ctx context.Context, host, addr string) (*lease, error) {
	h := p.host(addr)
	p.mu.Lock()
	h.wanting++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		h.wanting--
		p.mu.Unlock()
	}()
	p.restoreRetired(h)
	select {
	case h.slots <- struct{}{}:
	default:
		// The host is at its cap: counted, then the wait.
		p.counts.mxWaits.Add(1)
		select {
		case h.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if !p.cfg.Naive {
		if c := p.takeIdle(h); c != nil {
			p.counts.reuses.Add(1)
			return &lease{conn: c, h: h}, nil
		}
	}
	releaseSlot := func() {}
	if p.cfg.Slots != nil {
		release, idle, err := p.slotOrIdle(ctx, h, addr)
		switch {
		case err != nil:
			<-h.slots
			return nil, err
		case idle != nil:
			p.counts.reuses.Add(1) // came back idle while waiting for a slot
			return &lease{conn: idle, h: h}, nil
		}
		releaseSlot = release
	}
	if err := p.acquireGlobal(ctx); err != nil {
		releaseSlot()
		<-h.slots
		return nil, err
	}
	p.counts.dials.Add(1)
	c, banner, err := dialSMTP(ctx, p.dial, host, addr, p.cfg, p.counts)
	if err != nil || c == nil {
		releaseSlot()
		<-p.global
		if banner.Code == 421 && p.retire(h) {
			return &lease{banner: banner, h: h}, nil // our slot stays retired
		}
		<-h.slots
		if err != nil {
			return nil, err
		}
		return &lease{banner: banner, h: h}, nil
	}
	c.releaseSlot = releaseSlot
	p.mu.Lock()
	h.open++
	p.mu.Unlock()
	return &lease{conn: c, fresh: true, h: h}, nil
}

// retire keeps the caller's slot of h, unless that would leave none.
func (p *pool) retire(h *hostPool) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h.retired+1 >= cap(h.slots) {
		return false
	}
	h.retired++
	h.retiredAt = time.Now()
	return true
}

// restoreRetired gives back one retired slot once retireFor has passed.
func (p *pool) restoreRetired(h *hostPool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h.retired > 0 && time.Since(h.retiredAt) > retireFor {
		h.retired--
		h.retiredAt = time.Now()
		<-h.slots
	}
}

// takeIdle pops the most recently used idle connection that has not sat
// longer than IdleTimeout; stale ones are closed.
func (p *pool) takeIdle(h *hostPool) *smtpConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(h.idle) > 0 {
		c := h.idle[len(h.idle)-1]
		h.idle = h.idle[:len(h.idle)-1]
		if time.Since(c.lastUsed) < p.cfg.IdleTimeout {
			return c
		}
		p.closeLocked(c)
	}
	return nil
}

// acquireGlobal takes an open-connection token, closing an idle
// connection of some other host when all are taken.
func (p *pool) acquireGlobal(ctx context.Context) error {
	for {
		select {
		case p.global <- struct{}{}:
			return nil
		default:
		}
		if !p.evictOneIdle() {
			select {
			case p.global <- struct{}{}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

func (p *pool) evictOneIdle() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, h := range p.hosts {
		if len(h.idle) > 0 {
			c := h.idle[0]
			h.idle = h.idle[1:]
			p.closeLocked(c)
			return true
		}
	}
	return false
}

// put returns a lease. Reusable connections go back to the idle list;
// others are closed.
func (p *pool) put(l *lease, reusable bool) {
	if l.conn != nil {
		handOver := reusable && p.cfg.Slots != nil && p.handOver(l.h, l.conn.addr)
		if handOver {
			p.mu.Lock()
			l.h.yieldUntil = time.Now().Add(yieldFor)
			p.mu.Unlock()
		}
		if reusable && !p.cfg.Naive && !handOver {
			l.conn.lastUsed = time.Now()
			p.mu.Lock()
			l.h.idle = append(l.h.idle, l.conn)
			p.mu.Unlock()
			select {
			case l.h.back <- struct{}{}:
			default:
			}
		} else {
			p.mu.Lock()
			p.closeLocked(l.conn)
			p.mu.Unlock()
		}
	}
	<-l.h.slots
}

// closeLocked closes c and gives back its open-connection token, and its
// host slot once it is closed.
func (p *pool) closeLocked(c *smtpConn) {
	if h, ok := p.hosts[c.addr]; ok && h.open > 0 {
		h.open--
	}
	go func() { // QUIT may block up to a second; do not hold the lock
		c.close()
		if c.releaseSlot != nil {
			c.releaseSlot()
		}
	}()
	<-p.global
}

// sweep closes connections idle for longer than IdleTimeout and forgets
// hosts that have had nothing open, in use or retired for as long, so the
// map holds the hosts of current work, not of every domain ever seen.
func (p *pool) sweep() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, h := range p.hosts {
		kept := h.idle[:0]
		for _, c := range h.idle {
			if time.Since(c.lastUsed) < p.cfg.IdleTimeout {
				kept = append(kept, c)
			} else {
				p.closeLocked(c)
			}
		}
		h.idle = kept
		if len(h.idle) == 0 && len(h.slots) == 0 && h.retired == 0 && h.users == 0 && time.Since(h.lastUsed) > p.cfg.IdleTimeout {
			delete(p.hosts, addr)
		}
	}
}

// hostCount is how many hosts the pool remembers.
func (p *pool) hostCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.hosts)
}

// closeAll closes every idle connection.
func (p *pool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, h := range p.hosts {
		for _, c := range h.idle {
			p.closeLocked(c)
		}
		h.idle = nil
	}
}
