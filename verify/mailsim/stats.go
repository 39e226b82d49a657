package mailsim

import (
	"maps"
	"sync"
)

// Command verbs as counted in HostStats.Commands. Verbs the simulator does
// not know are counted under "UNKNOWN".
const (
	VerbEHLO     = "EHLO"
	VerbHELO     = "HELO"
	VerbSTARTTLS = "STARTTLS"
	VerbMAIL     = "MAIL"
	VerbRCPT     = "RCPT"
	VerbRSET     = "RSET"
	VerbNOOP     = "NOOP"
	VerbVRFY     = "VRFY"
	VerbDATA     = "DATA"
	VerbQUIT     = "QUIT"
	VerbUnknown  = "UNKNOWN"
)

func knownVerb(v string) bool {
	switch v {
	case VerbEHLO, VerbHELO, VerbSTARTTLS, VerbMAIL, VerbRCPT, VerbRSET,
		VerbNOOP, VerbVRFY, VerbDATA, VerbQUIT:
		return true
	}
	return false
}

// HostStats is a snapshot of one SMTP host's counters.
type HostStats struct {
	Host string // host name
	Addr string // "127.0.0.x"

	Connections int // TCP connections accepted, including refused ones
	Refused     int // connections answered 421 because of MaxConns
	Active      int // connections currently counted against MaxConns
	PeakActive  int // highest Active seen
	TLS         int // successful STARTTLS handshakes

	// Commands counts command lines received, by verb (VerbRCPT, ...).
	Commands map[string]int
	// Transactions counts MAIL FROM commands answered 250.
	Transactions int
	// ImproperPipelining counts commands that arrived while the previous
	// reply was still unsent on a host that does not advertise PIPELINING
	// (best effort: detects commands already buffered by the server).
	ImproperPipelining int
}

// add accumulates o into s (used for totals).
func (s *HostStats) add(o HostStats) {
	s.Connections += o.Connections
	s.Refused += o.Refused
	s.Active += o.Active
	s.PeakActive += o.PeakActive
	s.TLS += o.TLS
	s.Transactions += o.Transactions
	s.ImproperPipelining += o.ImproperPipelining
	if s.Commands == nil {
		s.Commands = map[string]int{}
	}
	for k, v := range o.Commands {
		s.Commands[k] += v
	}
}

// hostCounters is the live, mutex-protected form of HostStats.
type hostCounters struct {
	mu sync.Mutex
	s  HostStats
}

func (c *hostCounters) update(f func(s *HostStats)) {
	c.mu.Lock()
	f(&c.s)
	c.mu.Unlock()
}

func (c *hostCounters) command(verb string) {
	c.update(func(s *HostStats) { s.Commands[verb]++ })
}

// tryAcquire counts a new connection and reports whether it is within
// limit (limit <= 0 means unlimited).
func (c *hostCounters) tryAcquire(limit int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s.Connections++
	if limit > 0 && c.s.Active >= limit {
		c.s.Refused++
		return false
	}
	c.s.Active++
	c.s.PeakActive = max(c.s.PeakActive, c.s.Active)
	return true
}

func (c *hostCounters) release() {
	c.update(func(s *HostStats) { s.Active-- })
}

func (c *hostCounters) snapshot() HostStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.Commands = maps.Clone(c.s.Commands)
	return s
}

// reset zeroes the counters except Active, which tracks live connections;
// PeakActive restarts from the current Active.
func (c *hostCounters) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.s = HostStats{Host: c.s.Host, Addr: c.s.Addr, Active: c.s.Active,
		PeakActive: c.s.Active, Commands: map[string]int{}}
}
