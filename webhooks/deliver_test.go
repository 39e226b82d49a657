package webhooks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"mailvet/db"
	"mailvet/webhooks"
)

// verify checks a received request with the official Standard Webhooks
// library, not with our own code.
func verify(t *testing.T, secret string, r received) error {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return wh.Verify(r.body, r.header)
}

// An event reaches its endpoint signed, with its id as webhook-id, and
// the attempt is in the log.
func TestDeliveryIsSignedTheStandardWebhooksWay(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	rcv := newReceiver(t, status(http.StatusNoContent))
	ep := e.endpoint(t, a, rcv.URL+"/hooks")
	other := e.endpoint(t, a, rcv.URL+"/quota-only", webhooks.QuotaThreshold)
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1", Name: "Newsletter", Status: "completed"})

	waitFor(t, "the delivery", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDelivered })
	got := rcv.requests()
	if len(got) != 1 {
		t.Fatalf("%d requests, want 1 (the quota-only endpoint wants none)", len(got))
	}
	if err := verify(t, ep.Secret, got[0]); err != nil {
		t.Fatalf("the official library refuses the delivery: %v", err)
	}
	if id := got[0].header.Get("webhook-id"); id != ev.ID {
		t.Fatalf("webhook-id %q, want the event id %q", id, ev.ID)
	}
	var body struct {
		ID, Type string
		Data     webhooks.ListData
	}
	if err := json.Unmarshal(got[0].body, &body); err != nil || body.ID != ev.ID || body.Type != webhooks.ListCompleted || body.Data.Name != "Newsletter" {
		t.Fatalf("body %s: %v", got[0].body, err)
	}
	attempts, err := e.svc.Attempts(context.Background(), a.ID, ep.ID, webhooks.AttemptFilter{}, a.Owner)
	if err != nil || len(attempts) != 1 || attempts[0].Status == nil || *attempts[0].Status != http.StatusNoContent || attempts[0].EventID != ev.ID {
		t.Fatalf("attempts %+v %v", attempts, err)
	}
	if d := e.delivery(t, a, other.ID, ev.ID); d.ID.String() != "00000000-0000-0000-0000-000000000000" {
		t.Fatalf("the quota-only endpoint got a delivery of list.completed: %+v", d)
	}
}

// A receiver down for the whole schedule: a dead letter with every attempt
// logged; retried by hand once it is back, delivered exactly once with the
// same webhook-id.
func TestDeadLetterIsRetriedByHand(t *testing.T) {
	e := setup(t, 10*time.Millisecond, 10*time.Millisecond) // three attempts
	a := e.workspace(t, "alpha")
	rcv := newReceiver(t, status(http.StatusInternalServerError))
	ep := e.endpoint(t, a, rcv.URL)
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1"})
	waitFor(t, "a dead letter", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDead })
	d := e.delivery(t, a, ep.ID, ev.ID)
	attempts, _ := e.svc.Attempts(context.Background(), a.ID, ep.ID, webhooks.AttemptFilter{EventID: ev.ID}, a.Owner)
	if d.Attempts != 3 || len(attempts) != 3 || len(rcv.requests()) != 3 {
		t.Fatalf("dead letter after %d attempts, %d logged, %d received; want 3", d.Attempts, len(attempts), len(rcv.requests()))
	}
	dead, _ := e.svc.Deliveries(context.Background(), a.ID, ep.ID, webhooks.DeliveryFilter{State: webhooks.StateDead}, a.Owner)
	if len(dead) != 1 {
		t.Fatalf("dead letters %+v", dead)
	}

	rcv.setRespond(status(http.StatusOK))
	if err := e.svc.Retry(context.Background(), a.ID, d.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried delivery", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDelivered })
	got := rcv.requests()
	if len(got) != 4 || got[3].header.Get("webhook-id") != ev.ID || string(got[3].body) != string(got[0].body) {
		t.Fatalf("%d requests; the retry must carry the same id and body", len(got))
	}
	if err := verify(t, ep.Secret, got[3]); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Retry(context.Background(), a.ID, d.ID, a.Owner); err != webhooks.ErrNotDead {
		t.Fatalf("retrying a delivered delivery: %v", err)
	}
}

// A flapping receiver: fails twice, then answers; one webhook-id across
// the attempts, delivered once.
func TestFlappingReceiverGetsOneID(t *testing.T) {
	e := setup(t, 10*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond)
	a := e.workspace(t, "alpha")
	rcv := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n <= 2 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	ep := e.endpoint(t, a, rcv.URL)
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1"})
	waitFor(t, "the delivery", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDelivered })
	got := rcv.requests()
	if len(got) != 3 {
		t.Fatalf("%d requests, want 3", len(got))
	}
	for _, r := range got {
		if r.header.Get("webhook-id") != ev.ID {
			t.Fatalf("webhook-id changed between attempts: %q", r.header.Get("webhook-id"))
		}
	}
}

// 410 Gone disables the endpoint at once and says so in an event; a
// redirect is a failure, not followed; 429 with Retry-After waits that long.
func TestReceiverAnswers(t *testing.T) {
	e := setup(t, 10*time.Millisecond, 10*time.Millisecond)
	a := e.workspace(t, "alpha")
	ctx := context.Background()

	gone := newReceiver(t, status(http.StatusGone))
	watcher := newReceiver(t, status(http.StatusOK))
	ep := e.endpoint(t, a, gone.URL)
	e.endpoint(t, a, watcher.URL, webhooks.EndpointDisabled)
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1"})
	waitFor(t, "the endpoint disabled", func() bool {
		got, _ := e.svc.Get(ctx, a.ID, ep.ID, a.Owner)
		return !got.Enabled
	})
	if got, _ := e.svc.Get(ctx, a.ID, ep.ID, a.Owner); got.DisabledReason == nil || *got.DisabledReason != "it answered 410 Gone" {
		t.Fatalf("disabled reason %v", got.DisabledReason)
	}
	if d := e.delivery(t, a, ep.ID, ev.ID); d.State != webhooks.StateDead || len(gone.requests()) != 1 {
		t.Fatalf("after 410: %+v, %d requests", d, len(gone.requests()))
	}
	waitFor(t, "webhook_endpoint.disabled", func() bool { return len(watcher.requests()) == 1 })
	if body := string(watcher.requests()[0].body); !contains(body, `"type":"webhook_endpoint.disabled"`, ep.ID.String()) {
		t.Fatalf("disabled event %s", body)
	}

	redirect := newReceiver(t, func(_ int, w http.ResponseWriter) {
		w.Header().Set("Location", "http://127.0.0.1:1/elsewhere")
		w.WriteHeader(http.StatusFound)
	})
	rep := e.endpoint(t, a, redirect.URL, webhooks.ListCompleted)
	ev = e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l2"})
	waitFor(t, "the redirect's dead letter", func() bool { return e.delivery(t, a, rep.ID, ev.ID).State == webhooks.StateDead })
	attempts, _ := e.svc.Attempts(ctx, a.ID, rep.ID, webhooks.AttemptFilter{}, a.Owner)
	if len(attempts) != 3 || attempts[0].Error == nil || !contains(*attempts[0].Error, "redirects are not followed") {
		t.Fatalf("redirect attempts %+v", attempts)
	}

	busy := newReceiver(t, func(n int, w http.ResponseWriter) {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	bep := e.endpoint(t, a, busy.URL, webhooks.ListCompleted)
	ev = e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l3"})
	waitFor(t, "the delivery after Retry-After", func() bool { return e.delivery(t, a, bep.ID, ev.ID).State == webhooks.StateDelivered })
	got := busy.requests()
	if len(got) != 2 || got[1].at.Sub(got[0].at) < time.Second {
		t.Fatalf("429 with Retry-After: 1: %d requests, %s apart", len(got), got[len(got)-1].at.Sub(got[0].at))
	}
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// An endpoint whose deliveries have all failed for five days is disabled
// with the reason, and the tenant's other endpoints hear of it.
func TestEndpointFailingForFiveDaysIsDisabled(t *testing.T) {
	e := setup(t, 10*time.Millisecond, 10*time.Millisecond)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	down := newReceiver(t, status(http.StatusServiceUnavailable))
	watcher := newReceiver(t, status(http.StatusOK))
	ep := e.endpoint(t, a, down.URL, webhooks.ListCompleted)
	e.endpoint(t, a, watcher.URL, webhooks.EndpointDisabled)
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1"})
	waitFor(t, "a dead letter", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDead })
	if got, _ := e.svc.Get(ctx, a.ID, ep.ID, a.Owner); !got.Enabled || got.FailingSince == nil {
		t.Fatalf("after a day's failures the endpoint is enabled and failing: %+v", got)
	}
	// Its failures started five days ago.
	if err := e.d.Tx(ctx, db.System("the test moves the failing clock back"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = now() - interval '5 days 1 minute' WHERE id = ?`, ep.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l2"})
	waitFor(t, "the endpoint disabled", func() bool {
		got, _ := e.svc.Get(ctx, a.ID, ep.ID, a.Owner)
		return !got.Enabled
	})
	got, _ := e.svc.Get(ctx, a.ID, ep.ID, a.Owner)
	if got.DisabledReason == nil || !strings.Contains(*got.DisabledReason, "every delivery failed for 5 days") {
		t.Fatalf("reason %v", got.DisabledReason)
	}
	waitFor(t, "webhook_endpoint.disabled", func() bool { return len(watcher.requests()) == 1 })

	// Enabled again, it recovers what it missed.
	down.setRespond(status(http.StatusOK))
	on := true
	if _, err := e.svc.Update(ctx, a.ID, ep.ID, webhooks.EndpointInput{Enabled: &on}, a.Owner); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.Recover(ctx, a.ID, ep.ID, time.Now().Add(-time.Hour), a.Owner)
	if err != nil || n != 2 {
		t.Fatalf("recovered %d (%v), want both dead letters", n, err)
	}
	waitFor(t, "both delivered", func() bool {
		ds, _ := e.svc.Deliveries(ctx, a.ID, ep.ID, webhooks.DeliveryFilter{State: webhooks.StateDelivered}, a.Owner)
		return len(ds) == 2
	})
	if got, _ := e.svc.Get(ctx, a.ID, ep.ID, a.Owner); !got.Enabled || got.FailingSince != nil || got.DisabledReason != nil {
		t.Fatalf("after recovering: %+v", got)
	}
}
