package mailsim

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

func TestLoopbackHostsShareOnePort(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{{Name: "a.test"}, {Name: "b.test"}, {Name: "c.test"}}})
	seen := map[string]bool{}
	for _, h := range []string{"mx.a.test", "mx.b.test", "mx.c.test"} {
		addr := w.HostAddr(h)
		if !strings.HasPrefix(addr, "127.0.0.") || addr == "127.0.0.1" || seen[addr] {
			t.Errorf("%s got address %q", h, addr)
		}
		seen[addr] = true
		if want := fmt.Sprintf("%s:%d", addr, w.SMTPPort()); w.HostAddrPort(h) != want {
			t.Errorf("HostAddrPort = %s, want %s", w.HostAddrPort(h), want)
		}
		r := dialHost(t, w, h).expect(220)
		if !strings.Contains(r.text(), h) {
			t.Errorf("greeting %q does not name %s", r.text(), h)
		}
	}
}

func TestRecipients(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{
		{Name: "acme.test", Mailboxes: []string{"ann", "Bob"}, FullMailboxes: []string{"hoarder"}},
		{Name: "catch.test", CatchAll: true},
		{Name: "gmail.test", Mailboxes: []string{"real"}, UnknownReply: GmailUnknownReply()},
	}})
	cases := []struct {
		host, rcpt string
		code       int
		text       string
	}{
		{"mx.acme.test", "ann@acme.test", 250, "2.1.5 Ok"},
		{"mx.acme.test", "BOB@ACME.test", 250, "2.1.5 Ok"},
		{"mx.acme.test", "zed@acme.test", 550, "5.1.1 <zed@acme.test>: Recipient address rejected: User unknown"},
		{"mx.acme.test", "hoarder@acme.test", 552, "5.2.2 Mailbox full"},
		{"mx.acme.test", "postmaster@acme.test", 250, "2.1.5 Ok"},
		{"mx.acme.test", "ann@catch.test", 554, "5.7.1 <ann@catch.test>: Relay access denied"},
		{"mx.catch.test", "anything.at.all@catch.test", 250, "2.1.5 Ok"},
		{"mx.gmail.test", "nobody@gmail.test", 550, strings.Join(GmailUnknownReply().Lines, "\n")},
	}
	for _, tc := range cases {
		r := rcptReply(t, w, tc.host, tc.rcpt)
		if r.code != tc.code || r.text() != tc.text {
			t.Errorf("RCPT %s at %s = %d %q, want %d %q", tc.rcpt, tc.host, r.code, r.text(), tc.code, tc.text)
		}
	}
	if r := rcptReply(t, w, "mx.gmail.test", "nobody@gmail.test"); len(r.lines) != 4 {
		t.Errorf("gmail-style reply has %d lines, want 4", len(r.lines))
	}
}

func TestProtocolErrors(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}}})
	c := greeted(t, w, "mx.acme.test")
	c.cmdExpect("MAIL FROM:<a@b.test>", 503) // before EHLO
	c.cmdExpect("EHLO", 501)
	c.cmdExpect("HELO client.test", 250)
	c.cmdExpect("RCPT TO:<ann@acme.test>", 503) // before MAIL
	c.cmdExpect("MAIL FROM:<>", 250)
	c.cmdExpect("MAIL FROM:<a@b.test>", 503) // nested
	c.cmdExpect("RCPT TO:ann@acme.test", 501)
	c.cmdExpect("RCPT TO: <ann@acme.test> NOTIFY=NEVER", 250)
	c.cmdExpect("DATA", 554)
	c.cmdExpect("STARTTLS", 502)
	c.cmdExpect("VRFY ann", 252)
	c.cmdExpect("NOOP", 250)
	c.cmdExpect("XYZZY", 502)
	c.cmdExpect(strings.Repeat("A", 3*maxLineLen), 500)
	c.cmdExpect("RSET", 250)
	c.cmdExpect("QUIT", 221)
	c.expectEOF()
}

func TestEHLOCapabilities(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{
		{Name: "pipe.test"},
		{Name: "nopipe.test", Server: Host{NoPipelining: true, EHLOExtra: []string{"X-SIM 1"}}},
		{Name: "old.test", Server: Host{NoESMTP: true}},
	}})
	caps := w.ehloLines(t, "mx.pipe.test")
	if caps[0] != "mx.pipe.test" || !contains(caps, "PIPELINING") || !contains(caps, "ENHANCEDSTATUSCODES") || contains(caps, "STARTTLS") {
		t.Errorf("pipe.test EHLO = %q", caps)
	}
	if caps := w.ehloLines(t, "mx.nopipe.test"); contains(caps, "PIPELINING") || caps[len(caps)-1] != "X-SIM 1" {
		t.Errorf("nopipe.test EHLO = %q", caps)
	}

	c := greeted(t, w, "mx.old.test")
	c.cmdExpect("EHLO client.test", 502)
	c.cmdExpect("HELO client.test", 250)

	// A client pipelining although not offered is counted.
	c = greeted(t, w, "mx.nopipe.test")
	c.send("EHLO client.test", "MAIL FROM:<a@client.test>", "RCPT TO:<x@nopipe.test>")
	c.expect(250)
	c.expect(250)
	c.expect(550)
	if n := w.Stats("mx.nopipe.test").ImproperPipelining; n == 0 {
		t.Error("improper pipelining not counted")
	}
}

func (w *World) ehloLines(t *testing.T, host string) []string {
	t.Helper()
	return greeted(t, w, host).cmdExpect("EHLO client.test", 250).lines
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestGreylisting(t *testing.T) {
	t.Parallel()
	const period = 400 * time.Millisecond
	w := Start(t, Config{Domains: []Domain{{Name: "grey.test", Mailboxes: []string{"ann"}, Server: Host{Greylist: period}}}})
	start := time.Now()
	r := rcptReply(t, w, "mx.grey.test", "ann@grey.test")
	firstSeen := time.Now() // the server recorded the triplet before this
	if r.code != 451 || r.text() != "4.7.1 Greylisted, try again in 1 seconds" {
		t.Fatalf("first attempt: %d %q", r.code, r.text())
	}
	if time.Since(start) < period/2 {
		if r := rcptReply(t, w, "mx.grey.test", "ann@grey.test"); r.code != 451 {
			t.Errorf("retry within the period: %d %q", r.code, r.text())
		}
	}
	// A different sender is a different triplet.
	c := greeted(t, w, "mx.grey.test")
	c.cmdExpect("EHLO client.test", 250)
	c.cmdExpect("MAIL FROM:<other@client.test>", 250)
	c.cmdExpect("RCPT TO:<ann@grey.test>", 451)

	time.Sleep(period - time.Since(firstSeen) + 20*time.Millisecond)
	if r := rcptReply(t, w, "mx.grey.test", "ann@grey.test"); r.code != 250 {
		t.Errorf("after the period: %d %q", r.code, r.text())
	}
	if r := rcptReply(t, w, "mx.grey.test", "nobody@grey.test"); r.code != 451 {
		t.Errorf("new triplet after the period: %d", r.code)
	}
	w.ResetGreylist()
	if r := rcptReply(t, w, "mx.grey.test", "ann@grey.test"); r.code != 451 {
		t.Errorf("after ResetGreylist: %d", r.code)
	}
}

func TestPolicyBlock(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{
		{Name: "atmail.test", Mailboxes: []string{"ann"}, Server: Host{Block: BlockAtMail}},
		{Name: "atrcpt.test", Mailboxes: []string{"ann"}, Server: Host{Block: BlockAtRcpt}},
	}})
	const want = "5.7.1 Service unavailable; client [127.0.0.1] blocked using zen.spamhaus.org"
	c := greeted(t, w, "mx.atmail.test")
	c.cmdExpect("EHLO client.test", 250)
	if r := c.cmdExpect("MAIL FROM:<a@client.test>", 550); r.text() != want {
		t.Errorf("MAIL: %q", r.text())
	}
	if r := rcptReply(t, w, "mx.atrcpt.test", "ann@atrcpt.test"); r.code != 550 || r.text() != want {
		t.Errorf("RCPT: %d %q", r.code, r.text())
	}
}

func TestBannerDelay(t *testing.T) {
	t.Parallel()
	w := Start(t, Config{Domains: []Domain{{Name: "tarpit.test", Server: Host{BannerDelay: 300 * time.Millisecond}}}})
	start := time.Now()
	greeted(t, w, "mx.tarpit.test")
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("greeting after %v, want >= 300ms", d)
	}
}

func TestConnectionCap(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{{Name: "cap.test", Server: Host{MaxConns: 2}}}})
	a := greeted(t, w, "mx.cap.test")
	greeted(t, w, "mx.cap.test")
	over := dialHost(t, w, "mx.cap.test")
	if r := over.expect(421); r.text() != "4.7.0 Too many connections" {
		t.Errorf("421 text %q", r.text())
	}
	over.expectEOF()
	// QUIT frees the slot before 221 is sent, so an immediate reconnect works.
	a.cmdExpect("QUIT", 221)
	greeted(t, w, "mx.cap.test")
	st := w.Stats("mx.cap.test")
	if st.Connections != 4 || st.Refused != 1 || st.PeakActive != 2 || st.Active != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestDropMidSession(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{
		{Name: "drop.test", Mailboxes: []string{"a", "b", "c"}, Server: Host{Drop: Drop{Verb: "RCPT", Nth: 3}}},
		{Name: "dropmail.test", Server: Host{Drop: Drop{Verb: "mail"}}},
	}})
	c := greeted(t, w, "mx.drop.test")
	c.cmdExpect("EHLO client.test", 250)
	// Pipelined: replies already produced still arrive, then the close.
	c.send("MAIL FROM:<x@client.test>", "RCPT TO:<a@drop.test>", "RCPT TO:<b@drop.test>", "RCPT TO:<c@drop.test>")
	c.expect(250)
	c.expect(250)
	c.expect(250)
	c.expectEOF()

	c = greeted(t, w, "mx.dropmail.test")
	c.cmdExpect("EHLO client.test", 250)
	c.send("MAIL FROM:<x@client.test>")
	c.expectEOF()
}

func TestTooManyRecipients(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{{Name: "lim.test", CatchAll: true, Server: Host{MaxRcpts: 2}}}})
	c := greeted(t, w, "mx.lim.test")
	c.cmdExpect("EHLO client.test", 250)
	c.send("MAIL FROM:<x@client.test>", "RCPT TO:<a@lim.test>", "RCPT TO:<b@lim.test>", "RCPT TO:<c@lim.test>")
	c.expect(250)
	c.expect(250)
	c.expect(250)
	if r := c.expect(452); r.text() != "4.5.3 Too many recipients" {
		t.Errorf("452 text %q", r.text())
	}
	// The limit is per transaction.
	c.send("RSET", "MAIL FROM:<x@client.test>", "RCPT TO:<c@lim.test>")
	c.expect(250)
	c.expect(250)
	c.expect(250)
}

func TestStartTLS(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{
		{Name: "tls.test", Mailboxes: []string{"ann"}, Server: Host{TLS: TLSOptional}},
		{Name: "musttls.test", Mailboxes: []string{"ann"}, Server: Host{TLS: TLSRequired}},
	}})
	// go-smtp's client as a real-world client, verifying the certificate.
	for _, host := range []string{"mx.tls.test", "mx.musttls.test"} {
		domain := strings.TrimPrefix(host, "mx.")
		c, err := gosmtp.DialStartTLS(w.HostAddrPort(host), &tls.Config{ServerName: host, RootCAs: w.RootCAs()})
		if err != nil {
			t.Fatalf("%s: DialStartTLS: %v", host, err)
		}
		if err := c.Mail("probe@client.test", nil); err != nil {
			t.Fatalf("%s: MAIL: %v", host, err)
		}
		if err := c.Rcpt("ann@"+domain, nil); err != nil {
			t.Errorf("%s: RCPT ann: %v", host, err)
		}
		var se *gosmtp.SMTPError
		if err := c.Rcpt("zed@"+domain, nil); !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (gosmtp.EnhancedCode{5, 1, 1}) {
			t.Errorf("%s: RCPT zed: %v", host, err)
		}
		if err := c.Quit(); err != nil {
			t.Errorf("%s: QUIT: %v", host, err)
		}
		if st := w.Stats(host); st.TLS != 1 {
			t.Errorf("%s: TLS count %d", host, st.TLS)
		}
	}
	c := greeted(t, w, "mx.musttls.test")
	if caps := c.cmdExpect("EHLO client.test", 250).lines; !contains(caps, "STARTTLS") {
		t.Errorf("STARTTLS not advertised: %q", caps)
	}
	c.cmdExpect("MAIL FROM:<a@client.test>", 530)
}
