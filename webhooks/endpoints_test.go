package webhooks_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db/dbtest"
	"mailvet/webhooks"
)

// Rotation with an overlap: both secrets sign every delivery until it
// ends; rotating "now" leaves only the new one.
func TestRotationSignsWithBothSecretsDuringTheOverlap(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	rcv := newReceiver(t, status(http.StatusOK))
	ep := e.endpoint(t, a, rcv.URL)
	rotated, err := e.svc.Rotate(ctx, a.ID, ep.ID, "1h", a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Secret == ep.Secret || rotated.PreviousSecretUntil == nil || time.Until(*rotated.PreviousSecretUntil) < 59*time.Minute {
		t.Fatalf("rotated %+v", rotated.Endpoint)
	}
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1"})
	waitFor(t, "the delivery", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDelivered })
	r := rcv.requests()[0]
	if verify(t, ep.Secret, r) != nil || verify(t, rotated.Secret, r) != nil {
		t.Fatal("during the overlap both the old and the new secret must verify")
	}

	again, err := e.svc.Rotate(ctx, a.ID, ep.ID, "now", a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	ev = e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l2"})
	waitFor(t, "the delivery", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDelivered })
	r = rcv.requests()[1]
	if verify(t, again.Secret, r) != nil || verify(t, rotated.Secret, r) == nil || verify(t, ep.Secret, r) == nil {
		t.Fatal("after rotating now only the newest secret verifies")
	}
	if _, err := e.svc.Rotate(ctx, a.ID, ep.ID, "2h", a.Owner); !errors.Is(err, webhooks.ErrBadOverlap) {
		t.Fatalf("an overlap not offered: %v", err)
	}
}

// Bad input is refused with a reason, and nothing is stored.
func TestEndpointInputIsChecked(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	for _, url := range []string{"http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "https://user:pw@example.com/",
		"ftp://example.com/", "not a url", ""} {
		u := url
		if _, err := e.svc.Create(ctx, a.ID, webhooks.EndpointInput{URL: &u}, a.Owner); err == nil {
			t.Errorf("%q was accepted", url)
		}
	}
	good := "http://127.0.0.1:9/hook"
	types := []string{"list.completed", "list.exploded"}
	if _, err := e.svc.Create(ctx, a.ID, webhooks.EndpointInput{URL: &good, Events: &types}, a.Owner); !errors.Is(err, webhooks.ErrUnknownEventType) {
		t.Fatalf("an unknown event type: %v", err)
	}
	member := actor.User(uuid.New(), "m@alpha.test", actor.RoleMember).In(a.ID)
	if _, err := e.svc.Create(ctx, a.ID, webhooks.EndpointInput{URL: &good}, member); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("a member made an endpoint: %v", err)
	}
	if eps, _ := e.svc.List(ctx, a.ID, a.Owner); len(eps) != 0 {
		t.Fatalf("refused endpoints were stored: %+v", eps)
	}
}

// Another tenant's endpoints, events, deliveries and attempts are not
// found, and PostgreSQL hides their rows.
func TestWebhooksIsolateTenants(t *testing.T) {
	e := setup(t)
	a, b := e.workspace(t, "alpha"), e.workspace(t, "beta")
	ctx := context.Background()
	rcv := newReceiver(t, status(http.StatusInternalServerError))
	ep := e.endpoint(t, a, rcv.URL)
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1"})
	waitFor(t, "a dead letter", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDead })
	d := e.delivery(t, a, ep.ID, ev.ID)

	notFound := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, webhooks.ErrNotFound) {
			t.Errorf("%s: %v, want not found", what, err)
		}
	}
	for _, tenant := range []uuid.UUID{a.ID, b.ID} { // b's owner, in a's tenant or in b's
		_, err := e.svc.Get(ctx, tenant, ep.ID, b.Owner)
		notFound("get", err)
		enabled := false
		_, err = e.svc.Update(ctx, tenant, ep.ID, webhooks.EndpointInput{Enabled: &enabled}, b.Owner)
		notFound("update", err)
		_, err = e.svc.Rotate(ctx, tenant, ep.ID, "now", b.Owner)
		notFound("rotate", err)
		_, err = e.svc.Deliveries(ctx, tenant, ep.ID, webhooks.DeliveryFilter{}, b.Owner)
		notFound("deliveries", err)
		_, err = e.svc.Attempts(ctx, tenant, ep.ID, webhooks.AttemptFilter{}, b.Owner)
		notFound("attempts", err)
		notFound("retry", e.svc.Retry(ctx, tenant, d.ID, b.Owner))
		_, err = e.svc.Recover(ctx, tenant, ep.ID, time.Time{}, b.Owner)
		notFound("recover", err)
		_, err = e.svc.SendTest(ctx, tenant, ep.ID, b.Owner)
		notFound("send test", err)
		_, err = e.svc.Redeliver(ctx, tenant, ev.ID, b.Owner)
		notFound("redeliver", err)
		notFound("delete", e.svc.Delete(ctx, tenant, ep.ID, b.Owner))
	}
	if page, err := e.svc.Events(ctx, b.ID, webhooks.EventFilter{}, b.Owner); err != nil || len(page.Events) != 0 {
		t.Fatalf("b's events: %+v %v", page, err)
	}
	if eps, err := e.svc.List(ctx, b.ID, b.Owner); err != nil || len(eps) != 0 {
		t.Fatalf("b's endpoints: %+v %v", eps, err)
	}
	dbtest.RequireHidden(t, e.d, b.ID, a.ID, "webhook_endpoints", "events", "webhook_deliveries", "webhook_attempts")
}

// Events page newest first by cursor, filtered by type; a redelivery
// queues the same event again.
func TestEventsPagesAndRedelivery(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	rcv := newReceiver(t, status(http.StatusOK))
	ep := e.endpoint(t, a, rcv.URL)
	var ids []string
	for range 5 {
		ids = append(ids, e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l"}).ID)
	}
	e.record(t, a, webhooks.QuotaThreshold, webhooks.QuotaData{Percent: 80})
	var seen []string
	cursor := ""
	for range 10 {
		page, err := e.svc.Events(ctx, a.ID, webhooks.EventFilter{Type: webhooks.ListCompleted, Limit: 2, Cursor: cursor}, a.Owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range page.Events {
			seen = append(seen, ev.ID)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if len(seen) != 5 || seen[0] != ids[4] || seen[4] != ids[0] {
		t.Fatalf("pages gave %v, want %v newest first", seen, ids)
	}
	if _, err := e.svc.Events(ctx, a.ID, webhooks.EventFilter{Cursor: "garbage"}, a.Owner); !errors.Is(err, webhooks.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
	waitFor(t, "six deliveries", func() bool { return len(rcv.requests()) == 6 })
	if n, err := e.svc.Redeliver(ctx, a.ID, ids[0], a.Owner); err != nil || n != 1 {
		t.Fatalf("redeliver: %d %v", n, err)
	}
	waitFor(t, "the redelivery", func() bool { return len(rcv.requests()) == 7 })
	if got := rcv.requests()[6]; got.header.Get("webhook-id") != ids[0] {
		t.Fatalf("the redelivery's webhook-id %q, want %q", got.header.Get("webhook-id"), ids[0])
	}
	_ = ep
}

// An empty event list means every type, on create and on update.
func TestAnEmptyEventListMeansEveryType(t *testing.T) {
	e := build(t, buildOptions{noWorkers: true})
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	url, none, some := "http://127.0.0.1:9/hook", []string{}, []string{webhooks.ListCompleted}
	c, err := e.svc.Create(ctx, a.ID, webhooks.EndpointInput{URL: &url, Events: &none}, a.Owner)
	if err != nil || len(c.Events) != 0 {
		t.Fatalf("create with []: %+v %v", c.Events, err)
	}
	if got, err := e.svc.Update(ctx, a.ID, c.ID, webhooks.EndpointInput{Events: &some}, a.Owner); err != nil || len(got.Events) != 1 {
		t.Fatalf("update to one type: %+v %v", got.Events, err)
	}
	if got, err := e.svc.Update(ctx, a.ID, c.ID, webhooks.EndpointInput{Events: &none}, a.Owner); err != nil || len(got.Events) != 0 {
		t.Fatalf("update back to every type: %+v %v", got.Events, err)
	}
}
