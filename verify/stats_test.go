package verify_test

import (
	"context"
	"testing"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// TestStatsCountThePoolAndTheDNSCache: one connection dialled and then
// reused, one DNS miss and then hits, a server's 452 seen, and the pool's
// open and idle connections as they are.
func TestStatsCountThePoolAndTheDNSCache(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "pool.test", Mailboxes: []string{"ann", "bob"}},
		{Name: "narrow.test", Mailboxes: []string{"ann", "bob"}, Server: mailsim.Host{MaxRcpts: 1}},
	})
	v := engineFor(t, w, func(c *verify.Config) { c.MaxConnsPerHost = 1 })
	if s := v.Stats(); s != (verify.Stats{}) {
		t.Fatalf("a new engine's stats: %+v", s)
	}
	want(t, v.Verify(context.Background(), "ann@pool.test"), verify.Deliverable, verify.ReasonAccepted)
	s := v.Stats()
	if s.Dials != 1 || s.Reuses != 0 || s.DNSCacheMisses != 1 || s.DNSCacheHits != 0 {
		t.Fatalf("after the first address: %+v", s)
	}
	want(t, v.Verify(context.Background(), "bob@pool.test"), verify.Deliverable, verify.ReasonAccepted)
	s = v.Stats()
	if s.Dials != 1 || s.Reuses != 1 || s.DNSCacheMisses != 1 || s.DNSCacheHits != 1 {
		t.Fatalf("after the second address: %+v", s)
	}
	if s.ConnsOpen != 1 || s.ConnsIdle != 1 {
		t.Fatalf("pool size: %+v, want the one connection open and idle", s)
	}
	// Three recipients (two and the catch-all probe) in one transaction:
	// the server takes one (MaxRcpts) and answers the others 452.
	verifyAll(t, v, "ann@narrow.test", "bob@narrow.test")
	if s := v.Stats(); s.Replies452 == 0 || s.Replies421 != 0 {
		t.Fatalf("after a batch over the server's recipient limit: %+v", s)
	}
}
