package inbound_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mailvet/billing"
	"mailvet/inbound"
	"mailvet/rules"
	"mailvet/verifications"
	"mailvet/verify"
)

// failingVerifier answers some addresses with an error instead of the
// real verifier.
type failingVerifier struct {
	inbound.Verifier
	fail func(email string) error
}

func (v failingVerifier) Verify(ctx context.Context, req verifications.Request) (verify.Result, *billing.Quota, error) {
	if err := v.fail(req.Email); err != nil {
		return verify.Result{}, nil, err
	}
	return v.Verifier.Verify(ctx, req)
}

// When the quota runs out part of the way (another request took it after
// the check), the verified addresses get their events and the answer,
// stored like any other, names the rest.
func TestQuotaRunningOutMidwayIsInTheAnswer(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	svc := e.service(failingVerifier{Verifier: e.verifs, fail: func(email string) error {
		if strings.HasPrefix(email, "zed@") {
			return &billing.ExceededError{Scope: "monthly", Needed: 1, Left: 0, Limit: 1000}
		}
		return nil
	}}, inbound.Options{})
	p := push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), `{"emails": ["ann@shop.test", "zed@shop.test"], "reference": "half"}`)
	ans, err := svc.Handle(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	acc := accepted(t, ans)
	if acc.Accepted != 1 || len(acc.EventIDs) != 1 || len(acc.NotVerified) != 1 || acc.NotVerified[0].Email != "zed@shop.test" ||
		acc.NotVerified[0].Code != "quota_exceeded" || !strings.Contains(acc.NotVerified[0].Detail, "this month") {
		t.Fatalf("answer %s", ans.Body)
	}
	if n := e.count(t, `SELECT count(*) FROM events WHERE tenant_id = ?`, a.ID); n != 1 {
		t.Fatalf("%d events, want 1", n)
	}
	again, err := svc.Handle(context.Background(), p)
	if err != nil || string(again.Body) != string(ans.Body) {
		t.Fatalf("replay %s %v", again.Body, err)
	}
}

// A push that fails part of the way stores no answer and gives up its
// claim: the sender's retry with the same webhook-id is verified afresh
// (what the first try verified comes from the cache, free).
func TestFailedPushCanBeRetried(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	broken := true
	svc := e.service(failingVerifier{Verifier: e.verifs, fail: func(email string) error {
		if broken && strings.HasPrefix(email, "zed@") {
			return errors.New("database gone")
		}
		return nil
	}}, inbound.Options{Parallel: 1})
	p := push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), `{"emails": ["ann@shop.test", "zed@shop.test"]}`)
	if _, err := svc.Handle(context.Background(), p); err == nil || !strings.Contains(err.Error(), "database gone") {
		t.Fatalf("broken push: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM inbound_requests`); n != 0 {
		t.Fatalf("%d push rows left after a failure, want 0", n)
	}
	broken = false
	ans, err := svc.Handle(context.Background(), p)
	if err != nil || accepted(t, ans).Accepted != 2 {
		t.Fatalf("retry %s %v", ans.Body, err)
	}
	if n := e.monthUsed(t, a.ID); n != 2 {
		t.Fatalf("month_used %d, want 2 (ann's first verdict reused from the cache)", n)
	}
}

// The tenant's rules apply to pushed addresses as to API calls: a block
// rule's verdict is the event's, and costs nothing.
func TestPushedAddressesFollowTheTenantsRules(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	if _, err := e.rules.Create(context.Background(), a.ID, rules.NewRule{Kind: rules.KindDomain, Pattern: "shop.test", Action: rules.Block}, a.Owner); err != nil {
		t.Fatal(err)
	}
	ans, err := e.svc.Handle(context.Background(), push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), `{"emails": ["ann@shop.test"]}`))
	if err != nil || accepted(t, ans).Accepted != 1 {
		t.Fatalf("%s %v", ans.Body, err)
	}
	if n := e.count(t, `SELECT count(*) FROM events WHERE tenant_id = ? AND payload::jsonb->'data'->>'reason' = 'blocked_by_rule'`, a.ID); n != 1 {
		t.Fatalf("%d blocked_by_rule events, want 1", n)
	}
	if n := e.monthUsed(t, a.ID); n != 0 {
		t.Fatalf("month_used %d, want 0", n)
	}
}
