package verify

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// catchAllMemory remembers, per domain, whether its servers accept any
// address, so a domain is probed once per TTL instead of once per address.
// Only definite answers are remembered: a probe that got no answer leaves
// the domain unknown, never "catch-all".
type catchAllMemory struct {
	ttl time.Duration
	m   *expiringMap[bool]
}

func newCatchAllMemory(ttl time.Duration, entries int) *catchAllMemory {
	return &catchAllMemory{ttl: ttl, m: newExpiringMap[bool](entries)}
}

// get returns (catchAll, known).
func (c *catchAllMemory) get(domain string) (bool, bool) { return c.m.get(domain) }

func (c *catchAllMemory) set(domain string, catchAll bool) {
	c.m.put(domain, catchAll, time.Now().Add(c.ttl))
}

// probeAddress is a local part no real person has.
func probeAddress(domain string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "mv-probe-" + hex.EncodeToString(b) + "@" + domain
}
