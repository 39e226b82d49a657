package verify

import (
	"context"
	"time"
)

// ConnSlots hands out the connection slots of MX hosts across the
// processes that share one source address, so that a cap per host holds
// for all of them together: the receiver counts connections per client
// IP, not per process. The engine holds one slot for every connection it
// has open to a host, in use or idle, and gives it back when the
// connection closes. Implementations live outside this package (mailvet's
// is in PostgreSQL, see mxslots).
type ConnSlots interface {
	// TryAcquire takes one of addr's limit slots for this process if one
	// is free (ok); release gives it back. addr is the MX address dialled
	// (ip:port). The engine waits between tries, watching for one of its
	// own connections to the host to come back idle meanwhile.
	TryAcquire(ctx context.Context, addr string, limit int) (release func(), ok bool, err error)
	// HandOver reports whether another process waits for one of addr's
	// slots, asked when a connection to addr comes back idle: true, and
	// that connection closes and gives its slot back. It says so once per
	// notice of a wait, so a holder gives back one connection at a time.
	HandOver(addr string) bool
}

// yieldFor is how long a process that handed a host's slot over leaves
// the host's free slots to others, using its own connections meanwhile:
// otherwise its next lease would take the slot straight back.
const yieldFor = 300 * time.Millisecond

// handOver reports whether a connection to addr that comes back idle
// closes to give its slot to another process (ConnSlots.HandOver). While
// batches of this process still have work for the host, the connection
// stays, unless the process holds more than its share of the host's slots
// (half, rounded up): a connection handed over is a reconnection for the
// other process and a lost one here, so two busy processes settle on a
// split of the slots instead of passing them to and fro, and one with no
// more work for the host gives all of them up. (Work, not a lease
// waiting at that very moment: between two of a batch's rounds with a
// host none waits.)
func (p *pool) handOver(h *hostPool, addr string) bool {
	p.mu.Lock()
	keep := (h.wanting > 0 || h.users > 0) && h.open <= p.share()
	p.mu.Unlock()
	return !keep && p.cfg.Slots.HandOver(addr)
}

// share is the most of a host's slots a process keeps while another
// process waits for them: half, rounded up.
func (p *pool) share() int { return (p.cfg.MaxConnsPerHost + 1) / 2 }

// handOverIdleEvery is how often the pool offers idle connections to
// other processes waiting for their hosts (handOverIdle), and
// handOverUnusedAfter how long a host must have had no work here before
// all of them go: a list's batches reach a host every second or so, and
// one given away at once had to be taken back for the next batch, a
// reconnection each way and the waits of both processes' batches.
const (
	handOverIdleEvery   = 100 * time.Millisecond
	handOverUnusedAfter = time.Second
)

// handOverIdle closes idle connections that another process waits for
// (ConnSlots.HandOver): every idle connection of a host no batch of this
// process has work for any more, and one of a host of which the process
// holds more than its share. handOver is asked only when a connection
// comes back from use; one already idle would otherwise keep its slot
// until IdleLinger ends, while the other process, with the last batches of
// a list, waited for it.
func (p *pool) handOverIdle() {
	type offer struct {
		h    *hostPool
		addr string
		all  bool
	}
	var offers []offer
	p.mu.Lock()
	for addr, h := range p.hosts {
		switch {
		case len(h.idle) == 0:
		case h.users == 0 && h.wanting == 0 && time.Since(h.unusedSince) >= handOverUnusedAfter:
			offers = append(offers, offer{h, addr, true})
		case h.open > p.share():
			offers = append(offers, offer{h, addr, false})
		}
	}
	p.mu.Unlock()
	for _, o := range offers {
		if !p.cfg.Slots.HandOver(o.addr) { // outside p.mu: Slots has a lock of its own
			continue
		}
		p.mu.Lock()
		n := len(o.h.idle)
		if !o.all {
			n = min(n, 1)
		}
		for _, c := range o.h.idle[:n] {
			p.closeLocked(c)
		}
		o.h.idle = o.h.idle[n:]
		o.h.yieldUntil = time.Now().Add(yieldFor)
		p.mu.Unlock()
	}
}

// Waits between TryAcquire calls while every slot of a host is taken.
const (
	firstSlotWait = 5 * time.Millisecond
	maxSlotWait   = 200 * time.Millisecond
)

// slotOrIdle waits for a slot of addr's (ok: release gives it back) or,
// should one come back first, for one of this process's idle connections
// to it (c). One lease of a host at a time asks ConnSlots (h.asking); the
// others wait for it to be done or for a connection to come back: each
// try is a statement in PostgreSQL, and while another process held a
// host's slots its waiting leases asked hundreds of times a second in all.
func (p *pool) slotOrIdle(ctx context.Context, h *hostPool, addr string) (release func(), c *smtpConn, err error) {
	wait := firstSlotWait
	for {
		p.mu.Lock()
		asks := !time.Now().Before(h.yieldUntil) && !h.asking
		h.asking = h.asking || asks
		p.mu.Unlock()
		if asks {
			release, ok, err := p.cfg.Slots.TryAcquire(ctx, addr, p.cfg.MaxConnsPerHost)
			p.mu.Lock()
			h.asking = false
			p.mu.Unlock()
			if err != nil || ok {
				return release, nil, err
			}
		}
		if wait == firstSlotWait {
			p.counts.mxWaits.Add(1) // every slot is taken by this or other processes
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, nil, ctx.Err()
		case <-h.back: // one of ours came back idle: take it at once
		case <-t.C:
		}
		t.Stop()
		if c := p.takeIdle(h); c != nil {
			return nil, c, nil
		}
		wait = min(2*wait, maxSlotWait)
	}
}

// defaultIdleLinger is Config.IdleLinger's default: long enough for the
// next batch of a running list to find the connections (a worker's batch
// writes its results for up to two seconds before it takes the next, and
// at 2 s a process's connections all closed between two rounds of its
// batches), short enough that a finished list soon stops holding them.
// Another process waiting for them need not wait that long
// (handOverIdle).
const defaultIdleLinger = 5 * time.Second

// use notes that a batch has work for addr: its idle connections stay.
func (p *pool) use(addr string) {
	h := p.host(addr)
	p.mu.Lock()
	h.users++
	p.mu.Unlock()
}

// done notes that a batch has no more work for addr. When no batch has,
// its idle connections close after IdleLinger unless one comes back.
func (p *pool) done(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.hosts[addr]
	if !ok {
		return
	}
	if h.users--; h.users > 0 {
		return
	}
	if h.linger != nil {
		h.linger.Stop()
	}
	h.unusedSince = time.Now()
	h.linger = time.AfterFunc(p.cfg.IdleLinger, func() { p.closeIdleOf(h) })
}

// closeIdleOf closes h's idle connections if still no batch uses it.
func (p *pool) closeIdleOf(h *hostPool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if h.users > 0 {
		return
	}
	for _, c := range h.idle {
		p.closeLocked(c)
	}
	h.idle = nil
}
