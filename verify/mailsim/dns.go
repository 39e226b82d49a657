package mailsim

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

type queryKey struct {
	name  string // canonical, no trailing dot
	qtype uint16
}

// startDNS serves UDP and TCP on the same random port of 127.0.0.1.
func (w *World) startDNS() error {
	var lastErr error
	for tries := 0; tries < 20; tries++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return fmt.Errorf("mailsim: DNS: %w", err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err != nil { // port taken for TCP only: try another one
			lastErr = err
			_ = pc.Close()
			continue
		}
		w.dnsAddr = pc.LocalAddr().String()
		h := dns.HandlerFunc(w.serveDNS)
		for _, srv := range []*dns.Server{{PacketConn: pc, Handler: h}, {Listener: ln, Handler: h}} {
			started := make(chan struct{})
			srv.NotifyStartedFunc = func() { close(started) }
			w.dnsServers = append(w.dnsServers, srv)
			w.wg.Add(1)
			go func() {
				defer w.wg.Done()
				_ = srv.ActivateAndServe()
			}()
			// Shutdown fails on a server that has not started yet.
			<-started
		}
		return nil
	}
	return fmt.Errorf("mailsim: DNS: no port free for both UDP and TCP: %w", lastErr)
}

func (w *World) serveDNS(rw dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	m.RecursionAvailable = true // we stand in for the recursive resolver too
	if len(req.Question) != 1 {
		m.SetRcode(req, dns.RcodeFormatError)
		_ = rw.WriteMsg(m)
		return
	}
	q := req.Question[0]
	name := strings.TrimSuffix(strings.ToLower(q.Name), ".")
	w.dnsMu.Lock()
	w.dnsCounts[queryKey{name, q.Qtype}]++
	w.dnsMu.Unlock()

	w.mu.RLock()
	w.answer(m, name, q.Qtype)
	w.mu.RUnlock()
	w.logf("dns %s %s -> %s (%d answers)", name, dns.TypeToString[q.Qtype], dns.RcodeToString[m.Rcode], len(m.Answer))

	if _, udp := rw.RemoteAddr().(*net.UDPAddr); udp {
		size := dns.MinMsgSize
		if opt := req.IsEdns0(); opt != nil {
			size = max(int(opt.UDPSize()), dns.MinMsgSize)
			m.SetEdns0(opt.UDPSize(), false)
		}
		m.Truncate(size)
	}
	_ = rw.WriteMsg(m)
}

// answer fills m for (name, qtype); w.mu must be read-locked.
func (w *World) answer(m *dns.Msg, name string, qtype uint16) {
	d, h := w.domains[name], w.hosts[name]
	if d == nil && h == nil {
		m.Rcode = dns.RcodeNameError
		m.Ns = append(m.Ns, w.soa(name))
		return
	}
	if d != nil && d.cfg.DNS == DNSServFail {
		m.Rcode = dns.RcodeServerFailure
		return
	}
	fqdn := dns.Fqdn(name)
	switch qtype {
	case dns.TypeMX:
		if d == nil {
			break
		}
		ttl := w.ttl(d.cfg.TTL)
		hdr := dns.RR_Header{Name: fqdn, Rrtype: dns.TypeMX, Class: dns.ClassINET, Ttl: ttl}
		switch d.cfg.DNS {
		case DNSNullMX:
			m.Answer = append(m.Answer, &dns.MX{Hdr: hdr, Preference: 0, Mx: "."})
		case DNSMX:
			for _, mx := range d.cfg.MX {
				m.Answer = append(m.Answer, &dns.MX{Hdr: hdr, Preference: mx.Pref, Mx: dns.Fqdn(mx.Host)})
				// Like real authoritative servers, add the targets'
				// addresses as additional records.
				if t := w.hosts[mx.Host]; t != nil {
					m.Extra = append(m.Extra, w.addrRR(mx.Host, t.addr, t.cfg.TTL))
				}
			}
		}
	case dns.TypeA, dns.TypeAAAA:
		if d != nil {
			for _, a := range slices.Concat(d.cfg.A, d.cfg.AAAA) {
				if a.Is4() == (qtype == dns.TypeA) {
					m.Answer = append(m.Answer, w.addrRR(name, a, d.cfg.TTL))
				}
			}
		}
		if h != nil {
			for _, a := range append([]netip.Addr{h.addr}, h.cfg.AAAA...) {
				if a.Is4() == (qtype == dns.TypeA) {
					m.Answer = append(m.Answer, w.addrRR(name, a, h.cfg.TTL))
				}
			}
		}
	}
	if len(m.Answer) == 0 {
		m.Ns = append(m.Ns, w.soa(name)) // NODATA
	}
}

func (w *World) addrRR(name string, a netip.Addr, ttl time.Duration) dns.RR {
	hdr := dns.RR_Header{Name: dns.Fqdn(name), Class: dns.ClassINET, Ttl: w.ttl(ttl)}
	if a.Is4() {
		hdr.Rrtype = dns.TypeA
		return &dns.A{Hdr: hdr, A: a.AsSlice()}
	}
	hdr.Rrtype = dns.TypeAAAA
	return &dns.AAAA{Hdr: hdr, AAAA: a.AsSlice()}
}

// soa is the negative-caching SOA for name; the zone is taken to be the
// name's top-level label ("test." for "x.acme.test").
func (w *World) soa(name string) dns.RR {
	zone := name[strings.LastIndexByte(name, '.')+1:]
	neg := w.ttl(w.cfg.NegativeTTL)
	return &dns.SOA{
		Hdr: dns.RR_Header{Name: dns.Fqdn(zone), Rrtype: dns.TypeSOA, Class: dns.ClassINET, Ttl: neg},
		Ns:  "ns.mailsim.", Mbox: "hostmaster.mailsim.",
		Serial: 1, Refresh: 3600, Retry: 600, Expire: 86400, Minttl: neg,
	}
}

// ttl converts a configured TTL: 0 means the default, negative means 0.
func (w *World) ttl(d time.Duration) uint32 {
	switch {
	case d == 0:
		d = w.cfg.DefaultTTL
	case d < 0:
		return 0
	}
	return uint32((d + time.Second - 1) / time.Second)
}

// DNSQueries counts the queries received for name and qtype ("MX", "A",
// "AAAA", ...) since the start or the last ResetDNSQueries.
func (w *World) DNSQueries(name, qtype string) int {
	t, ok := dns.StringToType[strings.ToUpper(qtype)]
	if !ok {
		return 0
	}
	key := queryKey{strings.TrimSuffix(strings.ToLower(name), "."), t}
	w.dnsMu.Lock()
	defer w.dnsMu.Unlock()
	return w.dnsCounts[key]
}

// DNSQueryTotal counts all queries received.
func (w *World) DNSQueryTotal() int {
	w.dnsMu.Lock()
	defer w.dnsMu.Unlock()
	n := 0
	for _, c := range w.dnsCounts {
		n += c
	}
	return n
}

// ResetDNSQueries zeroes the query counters.
func (w *World) ResetDNSQueries() {
	w.dnsMu.Lock()
	defer w.dnsMu.Unlock()
	clear(w.dnsCounts)
}
