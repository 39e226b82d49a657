package mailsim

import (
	"context"
	"crypto/x509"
	"net"
	"slices"
	"strconv"
)

// Accessors for tests, benchmarks and the engine's configuration.

// DNSAddr is the DNS server's address, "127.0.0.1:port" (UDP and TCP).
func (w *World) DNSAddr() string { return w.dnsAddr }

// SMTPPort is the port every SMTP host listens on.
func (w *World) SMTPPort() int { return w.smtpPort }

// HostAddr is the loopback address of a host ("127.0.0.x"), or "".
func (w *World) HostAddr(name string) string {
	if h := w.host(name); h != nil {
		return h.addr.String()
	}
	return ""
}

// HostAddrPort is "127.0.0.x:SMTPPort" for a host, or "".
func (w *World) HostAddrPort(name string) string {
	if h := w.host(name); h != nil {
		return net.JoinHostPort(h.addr.String(), strconv.Itoa(w.smtpPort))
	}
	return ""
}

// Hosts lists the host names, sorted.
func (w *World) Hosts() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	names := make([]string, 0, len(w.hosts))
	for n := range w.hosts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// RootCAs holds the CA that signed every host's STARTTLS certificate.
func (w *World) RootCAs() *x509.CertPool { return w.ca.pool }

// Resolver returns a pure-Go resolver that sends every query to DNSAddr.
func (w *World) Resolver() *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, w.dnsAddr)
	}}
}

// Stats returns a snapshot of a host's counters (zero if unknown).
func (w *World) Stats(host string) HostStats {
	if h := w.host(host); h != nil {
		return h.stats.snapshot()
	}
	return HostStats{}
}

// TotalStats sums the counters of every host.
func (w *World) TotalStats() HostStats {
	total := HostStats{Commands: map[string]int{}}
	for _, n := range w.Hosts() {
		total.add(w.Stats(n))
	}
	return total
}

// ResetStats zeroes every host's counters (Active is kept).
func (w *World) ResetStats() {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, h := range w.hosts {
		h.stats.reset()
	}
}

// ResetGreylist forgets every greylisting triplet seen so far.
func (w *World) ResetGreylist() {
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, h := range w.hosts {
		h.grey.reset()
	}
}

func (w *World) host(name string) *hostRT {
	n, err := canonName(name)
	if err != nil {
		return nil
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.hosts[n]
}
