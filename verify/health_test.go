package verify_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// mxOf is the host:port of domain's (only) MX host in the world.
func mxOf(t *testing.T, w *mailsim.World, domain string) string {
	t.Helper()
	for _, h := range w.Hosts() {
		if strings.Contains(h, domain) {
			return w.HostAddrPort(h)
		}
	}
	t.Fatalf("no host for %s among %v", domain, w.Hosts())
	return ""
}

func TestCheckEgress(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "acme.test", Mailboxes: []string{"ann"}},
		{Name: "silent.test", Server: mailsim.Host{Hostile: mailsim.Hostile{Mode: mailsim.HostileSilent}}},
	})
	v := engineFor(t, w)
	detail, err := v.CheckEgress(t.Context(), mxOf(t, w, "acme.test"))
	if err != nil || !strings.Contains(detail, "220") || !strings.Contains(detail, "direct") {
		t.Fatalf("reachable MX: %q, %v", detail, err)
	}

	// A server that never greets: the deadline ends the wait.
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := v.CheckEgress(ctx, mxOf(t, w, "silent.test")); err == nil || !strings.Contains(err.Error(), "no greeting") {
		t.Fatalf("silent MX: %v", err)
	}

	// Nothing listens.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	if _, err := v.CheckEgress(t.Context(), closed); err == nil || !strings.Contains(err.Error(), "cannot open") {
		t.Fatalf("closed port: %v", err)
	}
}

// Through the configured SOCKS5 proxy, as the probes go.
func TestCheckEgressThroughProxy(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}})
	proxy := startSOCKS5(t)
	v := engineFor(t, w, func(c *verify.Config) { c.Proxy = "socks5://" + proxy.addr })
	detail, err := v.CheckEgress(t.Context(), mxOf(t, w, "acme.test"))
	if err != nil || !strings.Contains(detail, "through the SMTP proxy") {
		t.Fatalf("through the proxy: %q, %v", detail, err)
	}
	if proxy.tunnels.Load() != 1 {
		t.Fatalf("%d tunnels through the proxy, want 1", proxy.tunnels.Load())
	}
}

func TestCheckResolver(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}})
	v := engineFor(t, w, func(c *verify.Config) { c.DNSCanaries = []string{"acme.test"} })
	if detail, err := v.CheckResolver(t.Context()); err != nil || !strings.Contains(detail, "acme.test. MX") {
		t.Fatalf("honest resolver: %q, %v", detail, err)
	}

	// A resolver that takes the query and never answers.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	mute := engineFor(t, w, func(c *verify.Config) { c.DNSServer = pc.LocalAddr().String() })
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := mute.CheckResolver(ctx); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Fatalf("mute resolver: %v", err)
	}
}
