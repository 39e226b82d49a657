package verify_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// processSlots is ConnSlots as one process sees them when another
// process may wait: every slot free, and a wait for any host announced
// by want.
type processSlots struct {
	mu     sync.Mutex
	held   int
	wanted atomic.Bool
}

func (s *processSlots) TryAcquire(context.Context, string, int) (func(), bool, error) {
	s.mu.Lock()
	s.held++
	s.mu.Unlock()
	return func() { s.mu.Lock(); s.held--; s.mu.Unlock() }, true, nil
}

func (s *processSlots) HandOver(string) bool { return s.wanted.Load() }

func (s *processSlots) holding() int { s.mu.Lock(); defer s.mu.Unlock(); return s.held }

// The idle connections of a host no batch has work for any more go to
// another process as soon as it waits for them, not when they have
// lingered out (here a minute).
func TestIdleConnectionsGoToAWaitingProcess(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob", "cat"}}})
	slots := &processSlots{}
	v := engineFor(t, w, func(c *verify.Config) { c.Slots, c.IdleLinger = slots, time.Minute })
	emails := []string{"ann@shop.test", "bob@shop.test", "cat@shop.test"}
	v.VerifyBatch(context.Background(), emails, verify.Share{}, func(_ int, r verify.Result) {
		want(t, r, verify.Deliverable, verify.ReasonAccepted)
	})
	if st := w.Stats("mx.shop.test"); st.Active == 0 || slots.holding() == 0 {
		t.Fatalf("no connection kept after the batch: %d open at the MX, %d slots held", st.Active, slots.holding())
	}
	slots.wanted.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for w.Stats("mx.shop.test").Active > 0 || slots.holding() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("another process waits, but %d connections stay open (%d slots held)", w.Stats("mx.shop.test").Active, slots.holding())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A host's idle connections close IdleLinger after the last of a batch's
// work for it, while the batch still waits on a slow domain elsewhere:
// not at the batch's end, nor after IdleTimeout (30 s).
func TestIdleConnectionsCloseWhenTheirHostsWorkEnds(t *testing.T) {
	w := world(t, []mailsim.Domain{
		{Name: "fast.test", Mailboxes: []string{"ann"}},
		{Name: "slow.test", Mailboxes: []string{"bob"}, Server: mailsim.Host{Latency: 1500 * time.Millisecond}},
	})
	v := engineFor(t, w, func(c *verify.Config) {
		c.IdleLinger, c.CommandTimeout, c.ConnectTimeout = 100*time.Millisecond, 20*time.Second, 20*time.Second
	})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		v.VerifyBatch(context.Background(), []string{"ann@fast.test", "bob@slow.test"}, verify.Share{}, func(_ int, r verify.Result) {
			if r.Status != verify.Deliverable {
				t.Errorf("%s: %s/%s", r.Email, r.Status, r.Reason)
			}
		})
	}()
	// The fast MX first sees a connection, then none, while slow.test's
	// conversation (1.5 s a reply) goes on.
	for st := w.Stats("mx.fast.test"); st.Connections == 0 || st.Active > 0; st = w.Stats("mx.fast.test") {
		select {
		case <-finished:
			t.Fatalf("the batch ended first; mx.fast.test: %d connections, %d open", st.Connections, st.Active)
		case <-time.After(20 * time.Millisecond):
		}
	}
	select {
	case <-finished:
		t.Fatal("the batch had ended: the connection closed with it, not with its host's work")
	default:
	}
	<-finished
}
