package verify

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// catchAllMemory remembers, per domain, whether its servers accept any
// address, so a domain is probed once per TTL instead of once per address.
// Only definite answers are remembered: a probe that got no answer leaves
// the domain unknown, never "catch-all".
type catchAllMemory struct {
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]catchAllEntry
}

type catchAllEntry struct {
	catchAll bool
	expires  time.Time
}

func newCatchAllMemory(ttl time.Duration) *catchAllMemory {
	return &catchAllMemory{ttl: ttl, m: map[string]catchAllEntry{}}
}

// get returns (catchAll, known).
func (c *catchAllMemory) get(domain string) (bool, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[domain]
	if !ok || time.Now().After(e.expires) {
		return false, false
	}
	return e.catchAll, true
}

func (c *catchAllMemory) set(domain string, catchAll bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[domain] = catchAllEntry{catchAll: catchAll, expires: time.Now().Add(c.ttl)}
}

// probeAddress is a local part no real person has.
func probeAddress(domain string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "mv-probe-" + hex.EncodeToString(b) + "@" + domain
}
