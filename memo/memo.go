// Package memo remembers values per key for a short, fixed time: a
// per-process memory in front of a query that every request would
// otherwise repeat (a tenant's plan, its compiled rules).
//
// It is written here rather than taken from a library because the obvious
// one, golang-lru's expirable LRU, starts a ticking goroutine per cache
// that can never be stopped; these memories are small and short, and a
// map under a mutex does the job.
package memo

import (
	"sync"
	"time"
)

// Map remembers at most maxEntries values for ttl each. When full it
// forgets everything: a process serving that many keys simply asks again.
// It is safe for concurrent use.
type Map[K comparable, V any] struct {
	ttl        time.Duration
	maxEntries int

	mu      sync.Mutex
	entries map[K]entry[V]
}

type entry[V any] struct {
	value   V
	expires time.Time
}

// New returns an empty Map.
func New[K comparable, V any](ttl time.Duration, maxEntries int) *Map[K, V] {
	return &Map[K, V]{ttl: ttl, maxEntries: maxEntries, entries: map[K]entry[V]{}}
}

// Get returns the value remembered for k, if it has not expired.
func (m *Map[K, V]) Get(k K) (V, bool) {
	m.mu.Lock()
	e, ok := m.entries[k]
	m.mu.Unlock()
	if !ok || !time.Now().Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Put remembers v for k for the Map's ttl.
func (m *Map[K, V]) Put(k K, v V) {
	m.mu.Lock()
	if len(m.entries) >= m.maxEntries {
		clear(m.entries)
	}
	m.entries[k] = entry[V]{value: v, expires: time.Now().Add(m.ttl)}
	m.mu.Unlock()
}

// Forget drops what is remembered for k, so the next Get misses.
func (m *Map[K, V]) Forget(k K) {
	m.mu.Lock()
	delete(m.entries, k)
	m.mu.Unlock()
}
