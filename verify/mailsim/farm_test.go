package mailsim

import (
	"context"
	"net"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestReferenceFarmShape(t *testing.T) {
	f := ReferenceFarm(42, FarmOptions{})
	if len(f.Addresses) != 20000 || len(f.Domains) != 500 {
		t.Fatalf("%d addresses over %d domains", len(f.Addresses), len(f.Domains))
	}
	if n := len(f.Hosts); n >= 1000 || n < 300 {
		t.Errorf("%d hosts", n)
	}
	for _, h := range f.Hosts {
		if h.Latency != 50*time.Millisecond || h.MaxConns != 5 || h.NoPipelining {
			t.Fatalf("host %+v", h)
		}
	}
	perDomain := map[string]int{}
	outcomes := map[Outcome]int{}
	seen := map[string]bool{}
	for _, a := range f.Addresses {
		if seen[a.Email] {
			t.Fatalf("duplicate %s", a.Email)
		}
		seen[a.Email] = true
		perDomain[a.Email[strings.IndexByte(a.Email, '@')+1:]]++
		outcomes[a.Expect]++
	}
	if len(perDomain) != 500 {
		t.Errorf("%d domains have addresses", len(perDomain))
	}
	// Zipf: the top provider is big, the tail small.
	if top := perDomain["provider01.test"]; top < 2000 {
		t.Errorf("top provider has %d addresses", top)
	}
	catchDomains := 0
	for _, d := range f.Domains {
		if d.CatchAll {
			catchDomains++
		}
	}
	if catchDomains != 50 {
		t.Errorf("%d catch-all domains, want 50", catchDomains)
	}
	plain := outcomes[OutcomeExists] + outcomes[OutcomeUnknown]
	if frac := float64(outcomes[OutcomeUnknown]) / float64(plain); frac < 0.049 || frac > 0.051 {
		t.Errorf("unknown fraction %.3f", frac)
	}
	t.Logf("hosts=%d outcomes=%v top=%d", len(f.Hosts), outcomes, perDomain["provider01.test"])

	if g := ReferenceFarm(42, FarmOptions{}); !reflect.DeepEqual(f, g) {
		t.Error("same seed, different farm")
	}
	if g := ReferenceFarm(43, FarmOptions{}); reflect.DeepEqual(f.Addresses, g.Addresses) {
		t.Error("different seeds, same addresses")
	}
}

// A small farm loaded into a world answers as its expected outcomes say,
// found through the world's own DNS.
func TestFarmEndToEnd(t *testing.T) {
	f := ReferenceFarm(7, FarmOptions{Domains: 30, Addresses: 300, Latency: -1, MaxRcpts: 20})
	w := Start(t, f.Config())
	byDomain := map[string][]Address{}
	for _, a := range f.Addresses {
		d := a.Email[strings.IndexByte(a.Email, '@')+1:]
		byDomain[d] = append(byDomain[d], a)
	}
	ctx := context.Background()
	for domain, addrs := range byDomain {
		mxs, err := w.Resolver().LookupMX(ctx, domain)
		if err != nil || len(mxs) == 0 {
			t.Fatalf("MX %s: %v", domain, err)
		}
		ips, err := w.Resolver().LookupHost(ctx, mxs[0].Host)
		if err != nil {
			t.Fatalf("A %s: %v", mxs[0].Host, err)
		}
		c := dialAddr(t, net.JoinHostPort(ips[0], strconv.Itoa(w.SMTPPort())))
		c.expect(220)
		c.cmdExpect("EHLO client.test", 250)
		for i, a := range addrs {
			if i%20 == 0 { // stay under the big providers' MaxRcpts
				c.cmdExpect("RSET", 250)
				c.cmdExpect("MAIL FROM:<probe@client.test>", 250)
			}
			r := c.cmd("RCPT TO:<" + a.Email + ">")
			want := map[Outcome]int{OutcomeExists: 250, OutcomeCatchAll: 250, OutcomeUnknown: 550}[a.Expect]
			if r.code != want {
				t.Errorf("%s (%s): %d %q", a.Email, a.Expect, r.code, r.text())
			}
		}
		c.cmdExpect("QUIT", 221)
	}
}

// The full reference farm binds all its hosts on one port and answers.
func TestReferenceFarmStarts(t *testing.T) {
	t.Parallel()
	f := ReferenceFarm(1, FarmOptions{})
	w := Start(t, f.Config())
	if got := len(w.Hosts()); got != len(f.Hosts) {
		t.Fatalf("%d hosts running, farm has %d", got, len(f.Hosts))
	}
	for _, a := range f.Addresses[:5] {
		mxs, err := w.Resolver().LookupMX(context.Background(), a.Email[strings.IndexByte(a.Email, '@')+1:])
		if err != nil {
			t.Fatal(err)
		}
		r := rcptReply(t, w, strings.TrimSuffix(mxs[0].Host, "."), a.Email)
		if want := map[bool]int{true: 550, false: 250}[a.Expect == OutcomeUnknown]; r.code != want {
			t.Errorf("%s (%s): %d", a.Email, a.Expect, r.code)
		}
	}
}
