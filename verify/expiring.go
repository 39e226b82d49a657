package verify

import (
	"sync"
	"time"
)

// expiringMap is a per-domain memory with a bound: entries expire at their
// own time, and when the map is full the expired ones go first, then an
// eighth of the rest, picked by Go's randomised map order. A list of a
// million distinct domains thus costs at most max entries, not a million.
//
// Written here rather than taken from a library because verify imports
// nothing of ours and needs no more than this; the LRUs with TTLs on
// offer each run a goroutine per cache that cannot be stopped.
type expiringMap[V any] struct {
	max int

	mu sync.Mutex
	m  map[string]expiringEntry[V]
}

type expiringEntry[V any] struct {
	value   V
	expires time.Time
}

func newExpiringMap[V any](max int) *expiringMap[V] {
	return &expiringMap[V]{max: max, m: make(map[string]expiringEntry[V])}
}

// get returns the value for key while it has not expired.
func (e *expiringMap[V]) get(key string) (V, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	ent, ok := e.m[key]
	if !ok || !time.Now().Before(ent.expires) {
		var zero V
		return zero, false
	}
	return ent.value, true
}

// put remembers value for key until expires, making room when full.
func (e *expiringMap[V]) put(key string, value V, expires time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.m[key]; !ok && len(e.m) >= e.max {
		e.makeRoomLocked()
	}
	e.m[key] = expiringEntry[V]{value: value, expires: expires}
}

func (e *expiringMap[V]) makeRoomLocked() {
	now := time.Now()
	for k, ent := range e.m {
		if !now.Before(ent.expires) {
			delete(e.m, k)
		}
	}
	drop := len(e.m) - e.max + max(e.max/8, 1)
	for k := range e.m {
		if drop <= 0 {
			break
		}
		delete(e.m, k)
		drop--
	}
}

// len is how many entries are held, expired or not.
func (e *expiringMap[V]) len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.m)
}

// deleteIf forgets every entry whose value matches.
func (e *expiringMap[V]) deleteIf(match func(V) bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for k, ent := range e.m {
		if match(ent.value) {
			delete(e.m, k)
		}
	}
}
