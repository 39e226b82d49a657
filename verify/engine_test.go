package verify_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// engineFor returns a Verifier aimed at the simulated world, with short
// timeouts so failure paths finish quickly.
func engineFor(t *testing.T, w *mailsim.World, tune ...func(*verify.Config)) *verify.Verifier {
	t.Helper()
	cfg := verify.DefaultConfig()
	cfg.DNSServer = w.DNSAddr()
	cfg.SMTPPort = w.SMTPPort()
	cfg.HeloName = "probe.mailvet.test"
	cfg.MailFrom = "verify@mailvet.test"
	cfg.ConnectTimeout = 2 * time.Second
	cfg.CommandTimeout = 2 * time.Second
	cfg.DNSTimeout = time.Second
	cfg.DNSCanaries = nil // the default names real providers, unknown to the world; canary tests set their own
	for _, f := range tune {
		f(&cfg)
	}
	v, err := verify.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(v.Close)
	return v
}

func world(t *testing.T, domains []mailsim.Domain, hosts ...mailsim.Host) *mailsim.World {
	t.Helper()
	return mailsim.Start(t, mailsim.Config{Domains: domains, Hosts: hosts})
}

func want(t *testing.T, r verify.Result, status verify.Status, reason verify.Reason) {
	t.Helper()
	if r.Status != status || r.Reason != reason {
		t.Fatalf("%s: got %s/%s (%s; smtp %q), want %s/%s", r.Email, r.Status, r.Reason, r.Detail, r.SMTPReply, status, reason)
	}
}

func verifyAll(t *testing.T, v *verify.Verifier, emails ...string) []verify.Result {
	t.Helper()
	out := make([]verify.Result, len(emails))
	seen := make([]bool, len(emails))
	v.VerifyBatch(context.Background(), emails, verify.Share{}, func(i int, r verify.Result) {
		if seen[i] {
			t.Errorf("result %d emitted twice", i)
		}
		seen[i] = true
		out[i] = r
	})
	for i, s := range seen {
		if !s {
			t.Fatalf("no result for %s", emails[i])
		}
	}
	return out
}

func TestMailboxesExistOrNot(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "acme.test", Mailboxes: []string{"ann", "bob", "info"}},
		{Name: "gmail-like.test", Mailboxes: []string{"zed"}, UnknownReply: mailsim.GmailUnknownReply()},
	})
	v := engineFor(t, w)
	rs := verifyAll(t, v, "Ann@Acme.TEST", "nobody@acme.test", "info@acme.test", "ghost@gmail-like.test", "zed@gmail-like.test")
	want(t, rs[0], verify.Deliverable, verify.ReasonAccepted)
	if rs[0].Normalized != "Ann@acme.test" || rs[0].Domain != "acme.test" || rs[0].MX == nil || *rs[0].MX != "mx.acme.test" || rs[0].Score < 90 {
		t.Fatalf("result %+v", rs[0])
	}
	want(t, rs[1], verify.Undeliverable, verify.ReasonRejected)
	if !strings.Contains(rs[1].SMTPReply, "550 5.1.1") || rs[1].Score > 10 {
		t.Fatalf("rejected result %+v", rs[1])
	}
	want(t, rs[2], verify.Risky, verify.ReasonRoleAccount)
	if !rs[2].Flags.Role {
		t.Fatal("info@ not flagged as role")
	}
	want(t, rs[3], verify.Undeliverable, verify.ReasonRejected) // multi-line 550
	if !strings.Contains(rs[3].SMTPReply, "does not exist") {
		t.Fatalf("multi-line reply text lost: %q", rs[3].SMTPReply)
	}
	want(t, rs[4], verify.Deliverable, verify.ReasonAccepted)
}

func TestCatchAllIsProbedOncePerDomain(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "catchall.test", CatchAll: true}, {Name: "strict.test", Mailboxes: []string{"ann"}}})
	v := engineFor(t, w)
	rs := verifyAll(t, v, "a@catchall.test", "b@catchall.test", "ann@strict.test")
	for _, r := range rs[:2] {
		want(t, r, verify.Risky, verify.ReasonCatchAll)
		if !r.Flags.CatchAll {
			t.Fatal("catch_all flag not set")
		}
	}
	want(t, rs[2], verify.Deliverable, verify.ReasonAccepted)
	first := w.Stats("mx.catchall.test").Commands[mailsim.VerbRCPT]
	if first != 3 { // one probe + two addresses
		t.Fatalf("first batch sent %d RCPTs to the catch-all domain, want 3", first)
	}
	want(t, v.Verify(context.Background(), "c@catchall.test"), verify.Risky, verify.ReasonCatchAll)
	if n := w.Stats("mx.catchall.test").Commands[mailsim.VerbRCPT]; n != first+1 {
		t.Fatalf("catch-all answer not remembered: %d more RCPTs", n-first)
	}
}

func TestGreylistingIsUnknownWithRetryHint(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "grey.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{Greylist: 300 * time.Millisecond}}})
	v := engineFor(t, w)
	r := v.Verify(context.Background(), "ann@grey.test")
	want(t, r, verify.Unknown, verify.ReasonGreylisted)
	if r.RetryAfterSeconds <= 0 || !r.Temporary() {
		t.Fatalf("no retry hint: %+v", r)
	}
	// Asked again after the greylist period, the answer is real.
	time.Sleep(400 * time.Millisecond)
	want(t, v.Verify(context.Background(), "ann@grey.test"), verify.Deliverable, verify.ReasonAccepted)
}

func TestFullMailboxAndPolicyBlocks(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "full.test", Mailboxes: []string{"ann"}, FullMailboxes: []string{"hoarder"}},
		{Name: "blockrcpt.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{Block: mailsim.BlockAtRcpt}},
		{Name: "blockmail.test", Mailboxes: []string{"ann"}, Server: mailsim.Host{Block: mailsim.BlockAtMail}},
	})
	v := engineFor(t, w)
	rs := verifyAll(t, v, "hoarder@full.test", "ann@blockrcpt.test", "ghost@blockrcpt.test", "ann@blockmail.test")
	want(t, rs[0], verify.Risky, verify.ReasonMailboxFull)
	// A 5xx about our IP says nothing about the mailbox: never undeliverable.
	for _, r := range rs[1:] {
		want(t, r, verify.Unknown, verify.ReasonSMTPError)
		if !strings.Contains(r.SMTPReply, "5.7.1") {
			t.Fatalf("deciding reply not kept: %q", r.SMTPReply)
		}
	}
}

func TestDNSShapes(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "nullmx.test", DNS: mailsim.DNSNullMX},
		{Name: "aonly.test", DNS: mailsim.DNSAOnly, Mailboxes: []string{"ann"}},
		{Name: "servfail.test", DNS: mailsim.DNSServFail},
		{Name: "nodata.test", DNS: mailsim.DNSNoData},
	})
	v := engineFor(t, w)
	rs := verifyAll(t, v, "a@nullmx.test", "ann@aonly.test", "a@servfail.test", "a@missing.test", "a@nodata.test")
	want(t, rs[0], verify.Undeliverable, verify.ReasonNullMX)
	want(t, rs[1], verify.Deliverable, verify.ReasonAccepted)
	if *rs[1].MX != "aonly.test" {
		t.Fatalf("implicit MX = %v", *rs[1].MX)
	}
	want(t, rs[2], verify.Unknown, verify.ReasonTimeout)
	want(t, rs[3], verify.Undeliverable, verify.ReasonInvalidDomain)
	want(t, rs[4], verify.Undeliverable, verify.ReasonNoMX)
}

func TestDNSAnswersAreCached(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}})
	v := engineFor(t, w)
	for range 3 {
		want(t, v.Verify(context.Background(), "ann@acme.test"), verify.Deliverable, verify.ReasonAccepted)
	}
	if n := w.DNSQueries("acme.test", "MX"); n != 1 {
		t.Fatalf("MX asked %d times, want 1 (cached)", n)
	}
	// NXDOMAIN is cached too (negative caching).
	for range 3 {
		v.Verify(context.Background(), "a@nowhere.test")
	}
	if n := w.DNSQueries("nowhere.test", "MX"); n != 1 {
		t.Fatalf("NXDOMAIN asked %d times, want 1", n)
	}
}

func TestLocalChecksNeedNoNetwork(t *testing.T) {
	w := world(t, nil)
	v := engineFor(t, w)
	rs := verifyAll(t, v, "not an address", "a@[192.0.2.1]", "someone@mailinator.com", "x@gmial.com")
	want(t, rs[0], verify.Undeliverable, verify.ReasonInvalidSyntax)
	want(t, rs[1], verify.Undeliverable, verify.ReasonInvalidDomain)
	want(t, rs[2], verify.Risky, verify.ReasonDisposable)
	if !rs[2].Flags.Disposable {
		t.Fatal("disposable flag not set")
	}
	if rs[3].Suggestion == nil || *rs[3].Suggestion != "gmail.com" {
		t.Fatalf("suggestion %v", rs[3].Suggestion)
	}
	if n := w.TotalStats().Connections; n != 0 {
		t.Fatalf("%d SMTP connections for local verdicts", n)
	}
}
