package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sync/singleflight"
)

// mailHost is one place to deliver a domain's mail.
type mailHost struct {
	Name string
	Pref uint16
	IPs  []netip.Addr
}

// domainMail is what DNS says about where a domain takes mail.
type domainMail struct {
	Status   dnsStatus
	Hosts    []mailHost // by preference; for implicitMX the domain itself
	Implicit bool       // no MX: the A/AAAA records stand in (RFC 5321 §5.1)
	TTL      time.Duration
	Detail   string
}

type dnsStatus int

const (
	dnsOK       dnsStatus = iota
	dnsNXDomain           // the domain does not exist
	dnsNoMail             // exists, but no MX and no address
	dnsNullMX             // "MX 0 ." : the domain takes no mail (RFC 7505)
	dnsTempFail           // SERVFAIL, timeout: try later
)

// resolver asks one DNS server and caches answers, honouring their TTLs
// within a floor and ceiling. Concurrent lookups of a domain share one
// query.
type resolver struct {
	server  string
	client  *dns.Client
	cfg     Config
	flights singleflight.Group
	cache   *expiringMap[domainMail]
	counts  *counters
	// distrustNegative is set while the canary check finds the resolver
	// denying domains that exist: its NXDOMAIN/no-mail answers are then
	// not cached.
	distrustNegative atomic.Bool
}

func newResolver(cfg Config, counts *counters) (*resolver, error) {
	server := cfg.DNSServer
	if server == "" {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(conf.Servers) == 0 {
			return nil, fmt.Errorf("no DNS server configured and /etc/resolv.conf unusable: %v", err)
		}
		server = net.JoinHostPort(conf.Servers[0], conf.Port)
	}
	return &resolver{
		server: server,
		client: &dns.Client{Timeout: cfg.DNSTimeout, UDPSize: 4096},
		cfg:    cfg,
		cache:  newExpiringMap[domainMail](cfg.MemoryEntries),
		counts: counts,
	}, nil
}

// lookup returns where domain takes mail, from cache when fresh.
func (r *resolver) lookup(ctx context.Context, domain string) domainMail {
	if m, ok := r.cache.get(domain); ok {
		r.counts.dnsCacheHits.Add(1)
		return m
	}
	r.counts.dnsCacheMiss.Add(1)
	v, _, _ := r.flights.Do(domain, func() (any, error) {
		m := r.resolve(ctx, domain)
		ttl := m.TTL
		switch m.Status {
		case dnsNXDomain, dnsNoMail:
			ttl = r.cfg.DNSNegativeTTL
			if r.distrustNegative.Load() {
				ttl = 0
			}
		case dnsTempFail:
			ttl = 0 // never cache a failure to get an answer
		default:
			ttl = min(max(ttl, r.cfg.DNSCacheFloor), r.cfg.DNSCacheCeiling)
		}
		if ttl > 0 {
			r.cache.put(domain, m, time.Now().Add(ttl))
		}
		return m, nil
	})
	return v.(domainMail)
}

func (r *resolver) resolve(ctx context.Context, domain string) domainMail {
	fqdn := dns.Fqdn(domain)
	msg, err := r.query(ctx, fqdn, dns.TypeMX)
	if err != nil {
		return domainMail{Status: dnsTempFail, Detail: err.Error()}
	}
	switch msg.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return domainMail{Status: dnsNXDomain, Detail: "NXDOMAIN"}
	default:
		return domainMail{Status: dnsTempFail, Detail: dns.RcodeToString[msg.Rcode]}
	}
	var mxs []*dns.MX
	ttl := time.Duration(-1)
	for _, rr := range msg.Answer {
		if mx, ok := rr.(*dns.MX); ok {
			mxs = append(mxs, mx)
			ttl = minTTL(ttl, rr.Header().Ttl)
		}
	}
	if len(mxs) == 1 && mxs[0].Mx == "." {
		return domainMail{Status: dnsNullMX, TTL: ttl, Detail: "null MX"}
	}
	if len(mxs) == 0 {
		ips, ipTTL, err := r.addresses(ctx, fqdn)
		if err != nil {
			return domainMail{Status: dnsTempFail, Detail: err.Error()}
		}
		if len(ips) == 0 {
			return domainMail{Status: dnsNoMail, Detail: "no MX and no A/AAAA records"}
		}
		return domainMail{Status: dnsOK, Implicit: true, TTL: ipTTL,
			Hosts: []mailHost{{Name: strings.TrimSuffix(fqdn, "."), IPs: ips}}}
	}
	slices.SortStableFunc(mxs, func(a, b *dns.MX) int { return int(a.Preference) - int(b.Preference) })
	m := domainMail{Status: dnsOK, TTL: ttl}
	var lastErr error
	for _, mx := range mxs {
		if mx.Mx == "." {
			continue
		}
		ips, ipTTL, err := r.addresses(ctx, mx.Mx)
		if err != nil {
			lastErr = err
			continue
		}
		m.TTL = min(m.TTL, ipTTL)
		if len(ips) > 0 {
			m.Hosts = append(m.Hosts, mailHost{Name: strings.TrimSuffix(mx.Mx, "."), Pref: mx.Preference, IPs: ips})
		}
	}
	if len(m.Hosts) == 0 {
		if lastErr != nil {
			return domainMail{Status: dnsTempFail, Detail: lastErr.Error()}
		}
		return domainMail{Status: dnsNoMail, Detail: "MX hosts have no addresses"}
	}
	return m
}

// addresses returns the A then AAAA addresses of name.
func (r *resolver) addresses(ctx context.Context, fqdn string) ([]netip.Addr, time.Duration, error) {
	var ips []netip.Addr
	ttl := time.Duration(-1)
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		msg, err := r.query(ctx, fqdn, qtype)
		if err != nil {
			return nil, 0, err
		}
		if msg.Rcode != dns.RcodeSuccess && msg.Rcode != dns.RcodeNameError {
			return nil, 0, fmt.Errorf("%s %s: %s", fqdn, dns.TypeToString[qtype], dns.RcodeToString[msg.Rcode])
		}
		for _, rr := range msg.Answer {
			switch a := rr.(type) {
			case *dns.A:
				if ip, ok := netip.AddrFromSlice(a.A.To4()); ok {
					ips = append(ips, ip)
					ttl = minTTL(ttl, rr.Header().Ttl)
				}
			case *dns.AAAA:
				if ip, ok := netip.AddrFromSlice(a.AAAA); ok {
					ips = append(ips, ip)
					ttl = minTTL(ttl, rr.Header().Ttl)
				}
			}
		}
	}
	return ips, max(ttl, 0), nil
}

// query asks over UDP and repeats over TCP when the answer was truncated.
func (r *resolver) query(ctx context.Context, fqdn string, qtype uint16) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(fqdn, qtype)
	m.SetEdns0(4096, false)
	qctx, cancel := context.WithTimeout(ctx, r.cfg.DNSTimeout)
	defer cancel()
	in, _, err := r.client.ExchangeContext(qctx, m, r.server)
	if err == nil && in.Truncated {
		tcp := &dns.Client{Net: "tcp", Timeout: r.cfg.DNSTimeout}
		in, _, err = tcp.ExchangeContext(qctx, m, r.server)
	}
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, fmt.Errorf("DNS timeout asking %s for %s", r.server, fqdn)
		}
		return nil, fmt.Errorf("DNS query %s: %w", fqdn, err)
	}
	return in, nil
}

func minTTL(cur time.Duration, ttl uint32) time.Duration {
	d := time.Duration(ttl) * time.Second
	if cur < 0 || d < cur {
		return d
	}
	return cur
}
