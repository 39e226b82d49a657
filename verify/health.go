package verify

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"github.com/miekg/dns"
)

// CheckEgress tells whether this host can reach an SMTP server the way
// probes do: it dials addr (host:port of a known MX) directly or through
// the configured SOCKS5 proxy, and reads the greeting, all within ctx. A
// 220 greeting is a working egress; nothing is sent but QUIT.
func (v *Verifier) CheckEgress(ctx context.Context, addr string) (string, error) {
	route := "direct"
	if v.cfg.Proxy != "" {
		route = "through the SMTP proxy"
	}
	nc, err := v.pool.dial(ctx, "tcp", addr)
	if err != nil {
		return "", fmt.Errorf("cannot open %s (%s): %w", addr, route, err)
	}
	defer nc.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = nc.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Now()) }) // a cancelled ctx too
	defer stop()
	banner, err := readReply(bufio.NewReaderSize(nc, maxReplyLineLen))
	if err != nil {
		return "", fmt.Errorf("%s (%s) opened but sent no greeting: %w", addr, route, err)
	}
	_, _ = nc.Write([]byte("QUIT\r\n"))
	if banner.Code != 220 {
		return "", fmt.Errorf("%s (%s) greets with %s", addr, route, banner.Text())
	}
	return fmt.Sprintf("%s reached %s: %s", addr, route, banner.Text()), nil
}

// CheckResolver asks the resolver one real question, bypassing the
// cache, and adds what the canary check last found (DNSHealth). The
// question is the first canary's MX, or the root's NS without canaries;
// any definite answer (even NXDOMAIN) shows the resolver answers.
func (v *Verifier) CheckResolver(ctx context.Context) (string, error) {
	name, qtype := ".", dns.TypeNS
	if len(v.cfg.DNSCanaries) > 0 {
		name, qtype = dns.Fqdn(v.cfg.DNSCanaries[0]), dns.TypeMX
	}
	msg, err := v.resolver.query(ctx, name, qtype)
	if err != nil {
		return "", err
	}
	if msg.Rcode != dns.RcodeSuccess && msg.Rcode != dns.RcodeNameError {
		return "", fmt.Errorf("the DNS resolver %s answers %s %s with %s", v.resolver.server, name, dns.TypeToString[qtype],
			dns.RcodeToString[msg.Rcode])
	}
	if err := v.DNSHealth(); err != nil {
		return "", err
	}
	return fmt.Sprintf("%s answers %s %s", v.resolver.server, name, dns.TypeToString[qtype]), nil
}
