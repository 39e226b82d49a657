package verify_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

func addresses(domain string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%d@%s", i, domain)
	}
	return out
}

func mailboxes(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("user%d", i)
	}
	return out
}

// Many addresses of one domain share a few pooled connections and go out
// many RCPTs per pipelined transaction.
func TestPooledPipelinedProbing(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "big.test", Mailboxes: mailboxes(200), Server: mailsim.Host{Latency: 5 * time.Millisecond}}})
	v := engineFor(t, w, func(c *verify.Config) { c.MaxRcptsPerTxn = 50 })
	for _, r := range verifyAll(t, v, addresses("big.test", 200)...) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	st := w.Stats("mx.big.test")
	if st.Connections > 5 || st.PeakActive > 5 {
		t.Fatalf("%d connections (peak %d), want at most the per-host cap 5", st.Connections, st.PeakActive)
	}
	if st.Transactions > 5 { // 201 RCPTs in transactions of up to 50
		t.Fatalf("%d transactions for 201 RCPTs", st.Transactions)
	}
	if st.ImproperPipelining != 0 {
		t.Fatalf("pipelined to a host that did not offer it")
	}
	// A second batch reuses the idle connections (RSET between).
	verifyAll(t, v, addresses("big.test", 10)...)
	if st2 := w.Stats("mx.big.test"); st2.Connections != st.Connections || st2.Commands[mailsim.VerbRSET] == 0 {
		t.Fatalf("connections %d -> %d, RSET %d: pool not reused", st.Connections, st2.Connections, st2.Commands[mailsim.VerbRSET])
	}
}

func TestWithoutPipeliningOneCommandPerRoundTrip(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "old.test", Mailboxes: mailboxes(20), Server: mailsim.Host{NoPipelining: true}}})
	v := engineFor(t, w)
	for _, r := range verifyAll(t, v, addresses("old.test", 20)...) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	if st := w.Stats("mx.old.test"); st.ImproperPipelining != 0 || st.Connections != 1 {
		t.Fatalf("improper pipelining %d, connections %d", st.ImproperPipelining, st.Connections)
	}
}

func TestSplitsOnTooManyRecipients(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "limit.test", Mailboxes: mailboxes(10), Server: mailsim.Host{MaxRcpts: 3}}})
	v := engineFor(t, w)
	for _, r := range verifyAll(t, v, addresses("limit.test", 10)...) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	if st := w.Stats("mx.limit.test"); st.Transactions < 4 {
		t.Fatalf("%d transactions, want ≥ 4 for 11 RCPTs at 3 each", st.Transactions)
	}
}

func TestReconnectsAfterDroppedConnection(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "flaky.test", Mailboxes: mailboxes(10), Server: mailsim.Host{Drop: mailsim.Drop{Verb: "RCPT", Nth: 4}}}})
	v := engineFor(t, w)
	for _, r := range verifyAll(t, v, addresses("flaky.test", 10)...) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	if st := w.Stats("mx.flaky.test"); st.Connections < 2 {
		t.Fatalf("%d connections: expected a reconnect", st.Connections)
	}
}

func TestBacksOffOn421OverConnectionCap(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "capped.test", Mailboxes: mailboxes(12), Server: mailsim.Host{MaxConns: 1, Latency: 20 * time.Millisecond}}})
	v := engineFor(t, w, func(c *verify.Config) { c.MaxRcptsPerTxn = 1 })
	for _, r := range verifyAll(t, v, addresses("capped.test", 12)...) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	if st := w.Stats("mx.capped.test"); st.Refused == 0 {
		t.Fatal("the cap never refused a connection; the test did not test the 421 path")
	}
}

func TestStartTLSWithSelfSignedCertificate(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "tls.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{TLS: mailsim.TLSOptional}},
		{Name: "tlsonly.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{TLS: mailsim.TLSRequired}},
	})
	v := engineFor(t, w)
	for _, r := range verifyAll(t, v, "ann@tls.test", "ann@tlsonly.test") {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	if w.Stats("mx.tls.test").TLS != 1 || w.Stats("mx.tlsonly.test").TLS != 1 {
		t.Fatal("STARTTLS not used")
	}
}

func TestFallsBackToNextMX(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "two.test", Mailboxes: []string{"ann"}, MX: []mailsim.MX{{Host: "mx1.two.test", Pref: 10}, {Host: "mx2.two.test", Pref: 20}}}},
		mailsim.Host{Name: "mx1.two.test", Down: true}, mailsim.Host{Name: "mx2.two.test"})
	v := engineFor(t, w)
	r := v.Verify(context.Background(), "ann@two.test")
	want(t, r, verify.Deliverable, verify.ReasonAccepted)
	if *r.MX != "mx2.two.test" {
		t.Fatalf("MX used %s", *r.MX)
	}
}

func TestUnreachableAndSlowServersAreUnknown(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "down.test", Server: mailsim.Host{Down: true}},
		{Name: "tarpit.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{BannerDelay: 3 * time.Second}},
	})
	v := engineFor(t, w, func(c *verify.Config) { c.ConnectTimeout = 500 * time.Millisecond })
	rs := verifyAll(t, v, "a@down.test", "ann@tarpit.test")
	want(t, rs[0], verify.Unknown, verify.ReasonNoConnect)
	want(t, rs[1], verify.Unknown, verify.ReasonTimeout)
}

// A malicious server cannot hang or exhaust the engine: every read has a
// deadline and a size cap.
func TestHostileServersCannotHangTheEngine(t *testing.T) {
	var domains []mailsim.Domain
	modes := map[string]mailsim.Hostile{
		"silent":   {Mode: mailsim.HostileSilent, At: "RCPT"},
		"partial":  {Mode: mailsim.HostilePartial, At: "EHLO"},
		"trickle":  {Mode: mailsim.HostileTrickle},
		"huge":     {Mode: mailsim.HostileHugeLine, At: "RCPT"},
		"endless":  {Mode: mailsim.HostileEndless, At: "EHLO"},
		"endless2": {Mode: mailsim.HostileEndless, At: "RCPT"},
	}
	var emails []string
	for name, h := range modes {
		domains = append(domains, mailsim.Domain{Name: name + ".test", Mailboxes: []string{"ann"}, Server: mailsim.Host{Hostile: h}})
		emails = append(emails, "ann@"+name+".test")
	}
	w := world(t, domains)
	v := engineFor(t, w, func(c *verify.Config) { c.ConnectTimeout, c.CommandTimeout = time.Second, time.Second })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan struct{})
	var rs []verify.Result
	go func() { rs = verifyAll(t, v, emails...); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatal("engine hung on a hostile server")
	}
	for _, r := range rs {
		if r.Status != verify.Unknown {
			t.Errorf("%s: %s/%s, want unknown", r.Email, r.Status, r.Reason)
		}
	}
}

func TestCallerDeadlineEndsVerification(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "silent.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{Hostile: mailsim.Hostile{Mode: mailsim.HostileSilent, At: "RCPT"}}}})
	v := engineFor(t, w, func(c *verify.Config) { c.CommandTimeout = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	want(t, v.Verify(ctx, "ann@silent.test"), verify.Unknown, verify.ReasonTimeout)
}

func TestNaiveModeUsesAConnectionPerAddress(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "acme.test", Mailboxes: mailboxes(6)}})
	v := engineFor(t, w, func(c *verify.Config) { c.Naive = true })
	for _, r := range verifyAll(t, v, addresses("acme.test", 6)...) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	if st := w.Stats("mx.acme.test"); st.Connections != 7 { // 6 addresses + the catch-all probe
		t.Fatalf("naive engine opened %d connections, want 7", st.Connections)
	}
}

func TestTestModeNeedsNoNetwork(t *testing.T) {
	for local, wantStatus := range map[string]verify.Status{
		"deliverable": verify.Deliverable, "undeliverable": verify.Undeliverable, "risky": verify.Risky,
		"unknown": verify.Unknown, "catchall": verify.Risky, "disposable": verify.Risky, "timeout": verify.Unknown,
		"someone": verify.Deliverable,
	} {
		r := verify.TestMode(local + "@example.com")
		if r.Status != wantStatus {
			t.Errorf("%s: %s", local, r.Status)
		}
	}
	if r := verify.TestMode("catchall@example.com"); !r.Flags.CatchAll || r.Reason != verify.ReasonCatchAll {
		t.Errorf("catchall: %+v", r)
	}
	if r := verify.TestMode("someone@example.com"); r.Reason != verify.ReasonTestMode {
		t.Errorf("default reason %s", r.Reason)
	}
	if r := verify.TestMode("nope"); r.Reason != verify.ReasonInvalidSyntax {
		t.Errorf("syntax in test mode: %s", r.Reason)
	}
}

func TestHELOFallbackForServersWithoutESMTP(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "old.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{NoESMTP: true}}})
	v := engineFor(t, w)
	want(t, v.Verify(context.Background(), "ann@old.test"), verify.Deliverable, verify.ReasonAccepted)
	if st := w.Stats("mx.old.test"); st.Commands[mailsim.VerbHELO] != 1 || st.ImproperPipelining != 0 {
		t.Fatalf("HELO %d, improper pipelining %d", st.Commands[mailsim.VerbHELO], st.ImproperPipelining)
	}
}

// Concurrent verifications of one domain share a single DNS query.
func TestConcurrentLookupsShareOneQuery(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "acme.test", Mailboxes: mailboxes(20), Server: mailsim.Host{Latency: 20 * time.Millisecond}}})
	v := engineFor(t, w)
	done := make(chan verify.Result)
	for _, e := range addresses("acme.test", 20) {
		go func() { done <- v.Verify(context.Background(), e) }()
	}
	for range 20 {
		want(t, <-done, verify.Deliverable, verify.ReasonAccepted)
	}
	if n := w.DNSQueries("acme.test", "MX"); n != 1 {
		t.Fatalf("MX asked %d times for concurrent lookups, want 1", n)
	}
}

// The overall cap holds across hosts: idle connections of one host are
// closed to make room for another.
func TestOverallConnectionCap(t *testing.T) {
	var domains []mailsim.Domain
	var emails []string
	for i := range 6 {
		d := fmt.Sprintf("d%d.test", i)
		domains = append(domains, mailsim.Domain{Name: d, Mailboxes: mailboxes(3), Server: mailsim.Host{Latency: 10 * time.Millisecond}})
		emails = append(emails, addresses(d, 3)...)
	}
	w := world(t, domains)
	v := engineFor(t, w, func(c *verify.Config) { c.MaxConns = 2 })
	for _, r := range verifyAll(t, v, emails...) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	}
	// Six hosts were served, but no more than two connections stay open:
	// idle ones were closed to make room (closing is asynchronous).
	deadline := time.Now().Add(2 * time.Second)
	for w.TotalStats().Active > 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := w.TotalStats(); st.Connections < 6 || st.Active > 2 {
		t.Fatalf("connections %d, still open %d, want at most 2 open", st.Connections, st.Active)
	}
}
