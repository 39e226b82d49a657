package mailsim

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

func query(t *testing.T, w *World, network, name string, qtype uint16) *dns.Msg {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(name), qtype)
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, w.DNSAddr())
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], network, err)
	}
	return r
}

func dnsWorld(t *testing.T) *World {
	return Start(t, Config{
		DefaultTTL: 120 * time.Second,
		Hosts:      []Host{{Name: "mx1.big.test", TTL: 30 * time.Second, AAAA: []netip.Addr{netip.MustParseAddr("::1")}}},
		Domains: []Domain{
			{Name: "big.test", MX: []MX{{Host: "mx2.big.test", Pref: 20}, {Host: "MX1.big.test.", Pref: 10}},
				A: []netip.Addr{netip.MustParseAddr("192.0.2.7"), netip.MustParseAddr("2001:db8::7")}, TTL: time.Hour},
			{Name: "nomail.test", DNS: DNSNullMX},
			{Name: "aonly.test", DNS: DNSAOnly, TTL: -1},
			{Name: "empty.test", DNS: DNSNoData},
			{Name: "broken.test", DNS: DNSServFail},
			{Name: "implicit.test"},
		},
	})
}

func TestDNSRecords(t *testing.T) {
	w := dnsWorld(t)
	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			r := query(t, w, network, "big.test", dns.TypeMX)
			if r.Rcode != dns.RcodeSuccess || !r.Authoritative || len(r.Answer) != 2 {
				t.Fatalf("MX big.test: %v", r)
			}
			prefs := map[string]uint16{}
			for _, rr := range r.Answer {
				mx := rr.(*dns.MX)
				prefs[mx.Mx] = mx.Preference
				if mx.Hdr.Ttl != 3600 {
					t.Errorf("MX TTL %d, want 3600", mx.Hdr.Ttl)
				}
			}
			if prefs["mx1.big.test."] != 10 || prefs["mx2.big.test."] != 20 {
				t.Errorf("MX prefs %v", prefs)
			}
			if len(r.Extra) != 2 {
				t.Errorf("want glue A records in additional section, got %v", r.Extra)
			}

			a := query(t, w, network, "mx1.big.test", dns.TypeA)
			if len(a.Answer) != 1 || a.Answer[0].(*dns.A).A.String() != w.HostAddr("mx1.big.test") || a.Answer[0].Header().Ttl != 30 {
				t.Errorf("A mx1.big.test: %v", a.Answer)
			}
			if !strings.HasPrefix(w.HostAddr("mx1.big.test"), "127.0.") {
				t.Errorf("host address %q not loopback", w.HostAddr("mx1.big.test"))
			}
			aaaa := query(t, w, network, "mx1.big.test", dns.TypeAAAA)
			if len(aaaa.Answer) != 1 || aaaa.Answer[0].(*dns.AAAA).AAAA.String() != "::1" {
				t.Errorf("AAAA mx1.big.test: %v", aaaa.Answer)
			}
			if a := query(t, w, network, "mx2.big.test", dns.TypeA); len(a.Answer) != 1 || a.Answer[0].Header().Ttl != 120 {
				t.Errorf("A of implicitly created mx2.big.test (default TTL 120): %v", a.Answer)
			}
			if a := query(t, w, network, "big.test", dns.TypeA); len(a.Answer) != 1 || a.Answer[0].(*dns.A).A.String() != "192.0.2.7" {
				t.Errorf("A big.test: %v", a.Answer)
			}
			if a := query(t, w, network, "big.test", dns.TypeAAAA); len(a.Answer) != 1 || a.Answer[0].(*dns.AAAA).AAAA.String() != "2001:db8::7" {
				t.Errorf("AAAA big.test: %v", a.Answer)
			}

			null := query(t, w, network, "nomail.test", dns.TypeMX)
			if len(null.Answer) != 1 || null.Answer[0].(*dns.MX).Preference != 0 || null.Answer[0].(*dns.MX).Mx != "." {
				t.Errorf("null MX: %v", null.Answer)
			}

			// A record but no MX: NODATA for MX, A pointing at an SMTP host.
			if r := query(t, w, network, "aonly.test", dns.TypeMX); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 || len(r.Ns) != 1 {
				t.Errorf("MX aonly.test: want NODATA with SOA, got %v", r)
			}
			if r := query(t, w, network, "aonly.test", dns.TypeA); len(r.Answer) != 1 ||
				r.Answer[0].(*dns.A).A.String() != w.HostAddr("aonly.test") || r.Answer[0].Header().Ttl != 0 {
				t.Errorf("A aonly.test: %v", r.Answer)
			}

			if r := query(t, w, network, "empty.test", dns.TypeMX); r.Rcode != dns.RcodeSuccess || len(r.Answer) != 0 {
				t.Errorf("MX empty.test: %v", r)
			}
			if r := query(t, w, network, "missing.test", dns.TypeMX); r.Rcode != dns.RcodeNameError || len(r.Ns) != 1 {
				t.Errorf("MX missing.test: want NXDOMAIN with SOA, got %v", r)
			} else if soa := r.Ns[0].(*dns.SOA); soa.Minttl != 60 {
				t.Errorf("negative TTL %d, want default 60", soa.Minttl)
			}
			if r := query(t, w, network, "broken.test", dns.TypeMX); r.Rcode != dns.RcodeServerFailure {
				t.Errorf("MX broken.test: want SERVFAIL, got %s", dns.RcodeToString[r.Rcode])
			}
			if r := query(t, w, network, "implicit.test", dns.TypeMX); len(r.Answer) != 1 || r.Answer[0].(*dns.MX).Mx != "mx.implicit.test." {
				t.Errorf("implicit MX: %v", r.Answer)
			}
		})
	}
}

func TestDNSQueryCounter(t *testing.T) {
	w := dnsWorld(t)
	query(t, w, "udp", "big.test", dns.TypeMX)
	query(t, w, "tcp", "BIG.test.", dns.TypeMX)
	query(t, w, "udp", "big.test", dns.TypeA)
	if n := w.DNSQueries("big.test", "MX"); n != 2 {
		t.Errorf("MX queries = %d, want 2", n)
	}
	if n := w.DNSQueries("Big.Test.", "a"); n != 1 {
		t.Errorf("A queries = %d, want 1", n)
	}
	if n := w.DNSQueryTotal(); n != 3 {
		t.Errorf("total = %d, want 3", n)
	}
	w.ResetDNSQueries()
	if n := w.DNSQueries("big.test", "MX"); n != 0 {
		t.Errorf("after reset: %d", n)
	}
}

func TestResolver(t *testing.T) {
	w := dnsWorld(t)
	ctx := context.Background()
	mxs, err := w.Resolver().LookupMX(ctx, "big.test")
	if err != nil || len(mxs) != 2 || mxs[0].Host != "mx1.big.test." {
		t.Fatalf("LookupMX: %v %v", mxs, err)
	}
	addrs, err := w.Resolver().LookupNetIP(ctx, "ip4", "mx1.big.test")
	if err != nil || len(addrs) != 1 || addrs[0].String() != w.HostAddr("mx1.big.test") {
		t.Fatalf("LookupNetIP: %v %v", addrs, err)
	}
	if _, err := w.Resolver().LookupMX(ctx, "missing.test"); err == nil {
		t.Fatal("LookupMX of undeclared domain succeeded")
	}
}
