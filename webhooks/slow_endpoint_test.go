package webhooks_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"mailvet/webhooks"
)

// hangingReceiver accepts requests and answers none of them until the test
// ends, counting how many it holds at once.
type hangingReceiver struct {
	*receiver
	release chan struct{}
	mu      sync.Mutex
	holding int
	most    int
}

func newHangingReceiver(t *testing.T) *hangingReceiver {
	h := &hangingReceiver{release: make(chan struct{})}
	h.receiver = newReceiver(t, func(_ int, w http.ResponseWriter) {
		h.mu.Lock()
		h.holding++
		h.most = max(h.most, h.holding)
		h.mu.Unlock()
		<-h.release
		h.mu.Lock()
		h.holding--
		h.mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	// Registered after the server's Close, so it runs first: Close waits
	// for the requests this holds.
	t.Cleanup(func() { close(h.release) })
	return h
}

func (h *hangingReceiver) counts() (holding, most int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.holding, h.most
}

// One tenant's endpoint that never answers holds at most its cap of the
// process's delivery workers; another tenant's deliveries go out while it
// hangs. Without the cap, its 120 deliveries would take all 100 workers
// for the whole attempt timeout.
func TestSlowEndpointDoesNotDelayOthers(t *testing.T) {
	// The attempt timeout outlasts the test's own wait, so nothing here
	// is rescued by timeouts freeing the workers.
	e := build(t, buildOptions{timeout: 2 * time.Minute})
	alpha, beta := e.workspace(t, "alpha"), e.workspace(t, "beta")
	slow := newHangingReceiver(t)
	fast := newReceiver(t, status(http.StatusOK))
	slowEP := e.endpoint(t, alpha, slow.URL, webhooks.ListCompleted)
	fastEP := e.endpoint(t, beta, fast.URL, webhooks.ListCompleted)
	for range 120 {
		e.record(t, alpha, webhooks.ListCompleted, webhooks.ListData{ListID: "flood"})
	}
	waitFor(t, "the slow endpoint holding deliveries", func() bool {
		holding, _ := slow.counts()
		return holding >= 4
	})

	ev := e.record(t, beta, webhooks.ListCompleted, webhooks.ListData{ListID: "other"})
	waitFor(t, "the other tenant's delivery", func() bool { return e.delivery(t, beta, fastEP.ID, ev.ID).State == webhooks.StateDelivered })
	holding, most := slow.counts()
	if holding != 4 || most != 4 {
		t.Fatalf("the slow endpoint holds %d deliveries (at most %d at once), want its cap of 4 throughout", holding, most)
	}
	if n := len(slow.requests()); n != 4 {
		t.Fatalf("the slow endpoint got %d requests while it answered none, want 4", n)
	}
	ds, err := e.svc.Deliveries(t.Context(), alpha.ID, slowEP.ID, webhooks.DeliveryFilter{State: webhooks.StatePending, Limit: 200}, alpha.Owner)
	if err != nil || len(ds) != 120 {
		t.Fatalf("%d of the slow endpoint's 120 deliveries pending (%v)", len(ds), err)
	}
}
