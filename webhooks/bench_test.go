package webhooks_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"mailvet/db"
	"mailvet/webhooks"
)

// BenchmarkCompletionWithEvent is the cost recording an event adds to the
// transaction of the change it reports (a list completing): the same
// one-statement transaction with and without Record, to one subscribed
// endpoint. No worker runs, so deliveries do not compete for the machine.
//
//	go test -run '^$' -bench CompletionWithEvent -benchtime 2000x ./webhooks/
func BenchmarkCompletionWithEvent(b *testing.B) {
	e := build(b, buildOptions{noWorkers: true})
	a := e.workspace(b, "alpha")
	rcv := newReceiver(b, status(http.StatusOK))
	e.endpoint(b, a, rcv.URL)
	ctx := context.Background()
	change := func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE tenants SET name = name WHERE id = ?`, a.ID)
		return err
	}
	for _, withEvent := range []bool{false, true} {
		name := map[bool]string{false: "change-alone", true: "change+event"}[withEvent]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				err := e.d.Tx(ctx, db.Tenant(a.ID), func(ctx context.Context, tx db.Tx) error {
					if err := change(ctx, tx); err != nil {
						return err
					}
					if withEvent {
						_, err := e.svc.Record(ctx, tx, a.ID, webhooks.ListCompleted, webhooks.ListData{ListID: "bench", Name: "Bench"})
						return err
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDeliveries is deliveries per second to a loopback receiver that
// answers at once, with one worker process (River's webhooks queue at its
// default 20 workers): b.N events recorded, timed until the last arrives.
//
//	go test -run '^$' -bench Deliveries -benchtime 2000x ./webhooks/
func BenchmarkDeliveries(b *testing.B) {
	e := setup(b)
	a := e.workspace(b, "alpha")
	rcv := newReceiver(b, status(http.StatusOK))
	e.endpoint(b, a, rcv.URL)
	n := b.N
	b.ResetTimer()
	start := time.Now()
	for range n {
		e.record(b, a, webhooks.ListCompleted, webhooks.ListData{ListID: "bench"})
	}
	deadline := time.Now().Add(5 * time.Minute)
	for len(rcv.requests()) < n {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d delivered", len(rcv.requests()), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "deliveries/s")
}
