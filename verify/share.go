package verify

import (
	"context"
	"sync"
)

// Share bounds one customer's use of the connection pool: at most
// MaxConnsPerHost connections to any one MX address carry probes of the
// batches that name the same Key at a time, however many of its batches
// run at once. It is an operator's lever for one workspace whose lists a
// receiver complains about, below the pool's own cap for everyone; a cap
// above the pool's changes nothing, as the pool's applies too. The zero
// Share bounds nothing beyond the pool's cap.
type Share struct {
	Key             string
	MaxConnsPerHost int
}

func (s Share) bounded() bool { return s.Key != "" && s.MaxConnsPerHost > 0 }

// shareKey names one share's slots towards one MX address. The cap is part
// of the key, so a changed cap takes effect with the next connection while
// connections taken under the old one finish under it.
type shareKey struct {
	key  string
	addr string
	cap  int
}

// shareSlots is one shareKey's semaphore and how many hold or wait for it
// (the entry goes when none do, so the map holds current work only).
type shareSlots struct {
	sem  chan struct{}
	refs int
}

// shares hands out the slots of every Share in use.
type shares struct {
	mu     sync.Mutex
	m      map[shareKey]*shareSlots
	counts *counters
}

func newShares(counts *counters) *shares {
	return &shares{m: map[shareKey]*shareSlots{}, counts: counts}
}

// acquire waits for one of s's slots towards addr; release gives it back.
// An unbounded share takes nothing and releases nothing.
func (sh *shares) acquire(ctx context.Context, s Share, addr string) (release func(), err error) {
	if !s.bounded() {
		return func() {}, nil
	}
	k := shareKey{key: s.Key, addr: addr, cap: s.MaxConnsPerHost}
	sh.mu.Lock()
	slots := sh.m[k]
	if slots == nil {
		slots = &shareSlots{sem: make(chan struct{}, k.cap)}
		sh.m[k] = slots
	}
	slots.refs++
	sh.mu.Unlock()
	done := func() {
		sh.mu.Lock()
		defer sh.mu.Unlock()
		if slots.refs--; slots.refs == 0 {
			delete(sh.m, k)
		}
	}
	select {
	case slots.sem <- struct{}{}:
		return func() { <-slots.sem; done() }, nil
	default:
		sh.counts.mxWaits.Add(1) // the share is at its cap: counted, then the wait
	}
	select {
	case slots.sem <- struct{}{}:
		return func() { <-slots.sem; done() }, nil
	case <-ctx.Done():
		done()
		return nil, ctx.Err()
	}
}
