package verify_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// A Share caps its batches' connections to one MX together, below the
// pool's cap, while a batch of another share still gets the pool's own.
func TestShareCapsConnectionsPerMX(t *testing.T) {
	boxes := make([]string, 400)
	for i := range boxes {
		boxes[i] = fmt.Sprintf("u%d", i)
	}
	w := world(t, []mailsim.Domain{{Name: "big.test", Mailboxes: boxes, Server: mailsim.Host{Latency: 5 * time.Millisecond}}})
	tune := func(c *verify.Config) { c.MaxConnsPerHost = 8; c.MaxRcptsPerTxn = 10 }
	emails := make([]string, len(boxes))
	for i, b := range boxes {
		emails[i] = b + "@big.test"
	}
	run := func(v *verify.Verifier, share verify.Share, batches int) mailsim.HostStats {
		t.Helper()
		w.ResetStats()
		var wg sync.WaitGroup
		for range batches {
			wg.Go(func() {
				v.VerifyBatch(context.Background(), emails, share, func(_ int, r verify.Result) {
					if r.Status != verify.Deliverable {
						t.Errorf("%s: %s/%s", r.Email, r.Status, r.Reason)
					}
				})
			})
		}
		wg.Wait()
		return w.Stats("mx.big.test")
	}

	// Every batch of one tenant's share keeps to its 2, together.
	if st := run(engineFor(t, w, tune), verify.Share{Key: "tenant-a", MaxConnsPerHost: 2}, 3); st.PeakActive > 2 {
		t.Fatalf("share of 2: the MX saw %d connections at once", st.PeakActive)
	}
	// Without a share, the same work spreads over the pool's cap: the
	// share above is what held it to 2. (A new engine: the first one's
	// idle connections would be reused, not opened.)
	if st := run(engineFor(t, w, tune), verify.Share{}, 3); st.PeakActive <= 2 {
		t.Fatalf("no share: the MX saw at most %d connections at once, want more than 2", st.PeakActive)
	}
}
