package webhooks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/tenants"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

// The networks a platform admin lets one tenant reach are that tenant's:
// its endpoint on loopback is accepted and delivered to, another tenant's
// is refused, and taking the allowance away refuses the next attempt at
// dial time although the URL was accepted before.
func TestTenantNetworksAreTheTenantsOwn(t *testing.T) {
	e := build(t, buildOptions{guarded: true, schedule: []time.Duration{10 * time.Millisecond, 10 * time.Millisecond}})
	ctx := context.Background()
	a, b := e.workspace(t, "alpha"), e.workspace(t, "beta")
	ops, err := e.tenants.CreateUser(ctx, "ops@mailvet.test", "Ops", "correct horse battery", false, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	admin := actor.PlatformAdmin(ops.ID, ops.Email)
	allow := func(w workspace, cidrs ...string) {
		t.Helper()
		if _, err := e.tenants.SetOperatorSettings(ctx, w.ID, tenants.OperatorSettings{WebhookAllowCIDRs: cidrs}, admin); err != nil {
			t.Fatal(err)
		}
	}
	rcv := newReceiver(t, status(http.StatusNoContent))
	allow(a, "127.0.0.0/8")

	ep := e.endpoint(t, a, rcv.URL+"/hooks")
	u := rcv.URL + "/hooks"
	var urlErr *transport.URLError
	if _, err := e.svc.Create(ctx, b.ID, webhooks.EndpointInput{URL: &u}, b.Owner); !errors.As(err, &urlErr) || !strings.Contains(urlErr.Reason, "loopback") {
		t.Fatalf("beta's loopback endpoint: %v, want refused as loopback", err)
	}
	ev := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1", Name: "Newsletter", Status: "completed"})
	waitFor(t, "alpha's delivery", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDelivered })

	allow(a) // taken away
	ev = e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l2", Name: "Second", Status: "completed"})
	waitFor(t, "the refused delivery", func() bool { return e.delivery(t, a, ep.ID, ev.ID).State == webhooks.StateDead })
	attempts, err := e.svc.Attempts(ctx, a.ID, ep.ID, webhooks.AttemptFilter{}, a.Owner)
	refused := 0
	for _, at := range attempts {
		if at.EventID == ev.ID && at.Error != nil && strings.Contains(*at.Error, "SSRF guard") {
			refused++
		}
	}
	if err != nil || refused != 3 {
		t.Fatalf("%d of the second event's attempts refused by the SSRF guard, want 3 (%v)", refused, err)
	}
	if n := len(rcv.requests()); n != 1 {
		t.Fatalf("receiver got %d requests, want only the one sent while allowed", n)
	}
}
