package verify_test

import (
	"strings"
	"testing"
	"time"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// waitDNSHealth polls until DNSHealth's failing state is wantFail.
func waitDNSHealth(t *testing.T, v *verify.Verifier, wantFail bool) error {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := v.DNSHealth()
		if (err != nil) == wantFail {
			return err
		}
		if time.Now().After(deadline) {
			t.Fatalf("DNSHealth = %v, want failing=%v", err, wantFail)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func canary(domains ...string) func(*verify.Config) {
	return func(c *verify.Config) {
		c.DNSCanaries = domains
		c.DNSCanaryInterval = 50 * time.Millisecond
	}
}

// A resolver that denies the canary (a domain that certainly exists: here
// one the world does not declare, so it answers NXDOMAIN) gives no
// verdicts: NXDOMAIN and no-mail answers become unknown/dns_failure,
// temporary (so neither cached nor charged), and DNSHealth fails.
func TestLyingResolverGivesNoVerdict(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "acme.test", Mailboxes: []string{"ann"}},
		{Name: "nodata.test", DNS: mailsim.DNSNoData},
	})
	v := engineFor(t, w, canary("gmail-like.test"))
	// No wait for the first check: a negative answer waits for it.
	rs := verifyAll(t, v, "john.smith@gmail-like.test", "x@nodata.test", "ann@acme.test")
	for _, r := range rs[:2] {
		want(t, r, verify.Unknown, verify.ReasonDNSFailure)
		if !r.Temporary() || r.RetryAfterSeconds < 60 || !strings.Contains(r.Detail, "resolver") || r.Score > 50 {
			t.Fatalf("lying resolver result %+v", r)
		}
	}
	// Positive answers still count: the domain exists and SMTP decides.
	want(t, rs[2], verify.Deliverable, verify.ReasonAccepted)
	err := waitDNSHealth(t, v, true)
	if !strings.Contains(err.Error(), "gmail-like.test") || !strings.Contains(err.Error(), "NXDOMAIN") {
		t.Fatalf("DNSHealth = %v", err)
	}
	if !verify.ReasonDNSFailure.Known() {
		t.Fatal("dns_failure is not a known reason")
	}
}

// With an honest resolver (the canary resolves) NXDOMAIN is a verdict.
func TestHonestResolverNXDomainIsInvalid(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "gmail-like.test", Mailboxes: []string{"john.smith"}}})
	v := engineFor(t, w, canary("Gmail-Like.test."))
	rs := verifyAll(t, v, "john.smith@gmail-like.test", "ann@nowhere.test")
	want(t, rs[0], verify.Deliverable, verify.ReasonAccepted)
	want(t, rs[1], verify.Undeliverable, verify.ReasonInvalidDomain)
	if rs[1].Temporary() {
		t.Fatalf("NXDOMAIN verdict marked temporary: %+v", rs[1])
	}
	if err := v.DNSHealth(); err != nil {
		t.Fatalf("DNSHealth = %v", err)
	}
}

// The check runs periodically: a resolver caught lying and then healed
// gives verdicts again, and nothing it said while lying was remembered.
func TestResolverRecovers(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}})
	v := engineFor(t, w, canary("canary.test"))
	want(t, v.Verify(t.Context(), "ann@nowhere.test"), verify.Unknown, verify.ReasonDNSFailure)
	waitDNSHealth(t, v, true)
	if err := w.AddDomain(mailsim.Domain{Name: "canary.test"}); err != nil {
		t.Fatal(err)
	}
	waitDNSHealth(t, v, false)
	want(t, v.Verify(t.Context(), "ann@nowhere.test"), verify.Undeliverable, verify.ReasonInvalidDomain)
}

// A resolver that gives no answer at all for the canaries fails the health
// check but turns no verdict: its timeouts are unknown already.
func TestCanaryServFailIsUnhealthyNotLying(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "broken.test", DNS: mailsim.DNSServFail}})
	v := engineFor(t, w, canary("broken.test"))
	want(t, v.Verify(t.Context(), "ann@nowhere.test"), verify.Undeliverable, verify.ReasonInvalidDomain)
	if err := waitDNSHealth(t, v, true); !strings.Contains(err.Error(), "none of the canary") {
		t.Fatalf("DNSHealth = %v", err)
	}
}

func TestNoCanariesNoCheck(t *testing.T) {
	w := world(t, nil)
	v := engineFor(t, w) // engineFor turns the check off
	want(t, v.Verify(t.Context(), "ann@gmail.com"), verify.Undeliverable, verify.ReasonInvalidDomain)
	if err := v.DNSHealth(); err != nil {
		t.Fatalf("DNSHealth = %v", err)
	}
}

func TestCanaryConfigValidated(t *testing.T) {
	cfg := verify.DefaultConfig()
	cfg.DNSServer = "127.0.0.1:53"
	cfg.DNSCanaries = []string{"gmail.com", "not a domain"}
	if _, err := verify.New(cfg); err == nil || !strings.Contains(err.Error(), "canary") {
		t.Fatalf("New with a bad canary: %v", err)
	}
}
