package inbound_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/inbound"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/webhooks"
)

// A signed push is verified like an API call and each verdict goes back
// as a verification.completed event with the reference, delivered signed
// to the tenant's endpoints; the answer names the events.
func TestPushIsVerifiedAndEachVerdictIsAnEvent(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	rcv := newReceiver(t)
	ep := e.endpoint(t, a, rcv.URL+"/hooks")
	body := `{"emails": ["ann@shop.test", "nobody@shop.test", "ann@shop.test"], "reference": "crm-batch-7"}`
	ans, err := e.svc.Handle(context.Background(), push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), body))
	if err != nil {
		t.Fatal(err)
	}
	acc := accepted(t, ans)
	if acc.Reference != "crm-batch-7" || acc.Accepted != 2 || acc.Duplicates != 1 || len(acc.EventIDs) != 2 || acc.NotVerified != nil {
		t.Fatalf("answer %s", ans.Body)
	}
	want := map[string]verify.Status{"ann@shop.test": verify.Deliverable, "nobody@shop.test": verify.Undeliverable}
	for i, id := range acc.EventIDs {
		var raw string
		if err := e.d.Tx(context.Background(), db.Tenant(a.ID), func(ctx context.Context, tx db.Tx) error {
			return tx.NewRaw(`SELECT payload FROM events WHERE tenant_id = ? AND id = ?`, a.ID, id).Scan(ctx, &raw)
		}); err != nil {
			t.Fatalf("event %d %s: %v", i, id, err)
		}
		var ev struct {
			Type string
			Data webhooks.VerificationData
		}
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			t.Fatal(err)
		}
		d := ev.Data
		if ev.Type != webhooks.VerificationCompleted || d.Reference != "crm-batch-7" || d.EndpointID != ep.ID.String() ||
			verify.Status(d.Status) != want[d.Email] || d.Reason == "" || d.CheckedAt == nil || d.Result == nil {
			t.Fatalf("event %s", raw)
		}
		delete(want, d.Email)
	}
	if len(want) != 0 {
		t.Fatalf("no event for %v", want)
	}
	if n := e.count(t, `SELECT count(*) FROM verifications WHERE tenant_id = ?`, a.ID); n != 2 {
		t.Fatalf("%d verifications, want 2 (the repeat verified once)", n)
	}
	if n := e.monthUsed(t, a.ID); n != 2 {
		t.Fatalf("month_used %d, want 2", n)
	}
	waitFor(t, "both deliveries", func() bool { return len(rcv.requests()) == 2 })
	wh, _ := standardwebhooks.NewWebhook(ep.Secret)
	for _, r := range rcv.requests() {
		if err := wh.Verify(r.body, r.header); err != nil || !bytes.Contains(r.body, []byte(`"reference":"crm-batch-7"`)) {
			t.Fatalf("delivery %s: %v", r.body, err)
		}
	}
}

// Every push not signed with its endpoint's inbound secret, or too old,
// or too new, or to no endpoint, or to a disabled one, is refused as
// unauthorized, with its reason, and nothing is done for anyone. The id in
// the URL decides the secret: another tenant's endpoint id, signed with
// one's own secret, is no match.
func TestUnauthorizedPushesDoNothing(t *testing.T) {
	e := setup(t)
	a, b := e.workspace(t, "alpha"), e.workspace(t, "beta")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	other := e.endpoint(t, b, "http://127.0.0.1:1/b")
	off := e.endpoint(t, a, "http://127.0.0.1:1/off")
	disabled := false
	if _, err := e.webhooks.Update(context.Background(), a.ID, off.ID, webhooks.EndpointInput{Enabled: &disabled}, a.Owner); err != nil {
		t.Fatal(err)
	}
	body := `{"emails": ["ann@shop.test"], "reference": "r"}`
	now := time.Now()
	good := func() inbound.Push { return push(t, ep.ID, ep.InboundSecret, "msg_1", now, body) }
	without := func(h string) inbound.Push { p := good(); p.Header.Del(h); return p }
	cases := []struct {
		name   string
		push   inbound.Push
		reason string
	}{
		{"no webhook-id", without("webhook-id"), inbound.ReasonMissingID},
		{"no webhook-timestamp", without("webhook-timestamp"), inbound.ReasonMissingTimestamp},
		{"no webhook-signature", without("webhook-signature"), inbound.ReasonMissingSignature},
		{"no headers at all", inbound.Push{EndpointID: ep.ID, Header: http.Header{}, Body: []byte(body)}, inbound.ReasonMissingID},
		{"wrong secret", push(t, ep.ID, other.InboundSecret, "msg_1", now, body), inbound.ReasonNoMatch},
		{"the signing secret instead of the inbound one", push(t, ep.ID, ep.Secret, "msg_1", now, body), inbound.ReasonNoMatch},
		{"10 minutes old", push(t, ep.ID, ep.InboundSecret, "msg_1", now.Add(-10*time.Minute), body), inbound.ReasonStale},
		{"10 minutes ahead", push(t, ep.ID, ep.InboundSecret, "msg_1", now.Add(10*time.Minute), body), inbound.ReasonStale},
		{"body changed after signing", func() inbound.Push { p := good(); p.Body = []byte(strings.Replace(body, "ann", "zed", 1)); return p }(), inbound.ReasonNoMatch},
		{"signed for another webhook-id", func() inbound.Push { p := good(); p.Header.Set("webhook-id", "msg_2"); return p }(), inbound.ReasonNoMatch},
		{"unknown endpoint", push(t, uuid.New(), ep.InboundSecret, "msg_1", now, body), inbound.ReasonUnknownEndpoint},
		{"another tenant's endpoint, signed with one's own secret", push(t, other.ID, ep.InboundSecret, "msg_1", now, body), inbound.ReasonNoMatch},
		{"disabled endpoint", push(t, off.ID, off.InboundSecret, "msg_1", now, body), inbound.ReasonDisabled},
		{"timestamp not a number", func() inbound.Push { p := good(); p.Header.Set("webhook-timestamp", "soon"); return p }(), inbound.ReasonBadTimestamp},
		{"webhook-id too long", push(t, ep.ID, ep.InboundSecret, strings.Repeat("x", 257), now, body), inbound.ReasonBadID},
	}
	for _, c := range cases {
		ans, err := e.svc.Handle(context.Background(), c.push)
		var ue *inbound.UnauthorizedError
		if !errors.As(err, &ue) || !errors.Is(err, inbound.ErrUnauthorized) || ue.Reason != c.reason || ans.Status != 0 {
			t.Errorf("%s: answer %+v, err %v; want unauthorized %q", c.name, ans, err, c.reason)
		}
	}
	e.nothingDone(t, a.ID)
	e.nothingDone(t, b.ID)
	// The same push, signed right, goes through: the refusals were the
	// headers', not the body's.
	if _, err := e.svc.Handle(context.Background(), good()); err != nil {
		t.Fatal(err)
	}
}

// A repeated webhook-id gets the first answer again, byte for byte, with
// no second verification and no second charge; another id is a new push.
func TestReplayedPushGetsTheFirstAnswer(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	body := `{"emails": ["zed@shop.test"], "reference": "once"}`
	first, err := e.svc.Handle(context.Background(), push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), body))
	if err != nil {
		t.Fatal(err)
	}
	// A sender's retry: the same id, signed again a little later.
	again, err := e.svc.Handle(context.Background(), push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now().Add(time.Minute), body))
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != http.StatusAccepted || first.Replayed || again.Status != http.StatusOK || !again.Replayed || !bytes.Equal(again.Body, first.Body) {
		t.Fatalf("replay answered %d %s, first %d %s", again.Status, again.Body, first.Status, first.Body)
	}
	if n := e.count(t, `SELECT count(*) FROM verifications WHERE tenant_id = ?`, a.ID); n != 1 {
		t.Fatalf("%d verifications, want 1", n)
	}
	if n := e.count(t, `SELECT count(*) FROM events WHERE tenant_id = ?`, a.ID); n != 1 {
		t.Fatalf("%d events, want 1", n)
	}
	if n := e.monthUsed(t, a.ID); n != 1 {
		t.Fatalf("month_used %d, want 1", n)
	}
	// A new id is a new push (answered from the cache this time: free).
	next, err := e.svc.Handle(context.Background(), push(t, ep.ID, ep.InboundSecret, "msg_2", time.Now(), body))
	if err != nil || bytes.Equal(next.Body, first.Body) {
		t.Fatalf("a new id answered %s, %v", next.Body, err)
	}
	if n := e.count(t, `SELECT count(*) FROM verifications WHERE tenant_id = ? AND cached`, a.ID); n != 1 {
		t.Fatalf("%d cached verifications, want 1", n)
	}
}

// slowVerifier holds each verification long enough for a duplicate push
// to arrive while the first is at work.
type slowVerifier struct {
	inbound.Verifier
	mu    sync.Mutex
	calls int
}

func (v *slowVerifier) Verify(ctx context.Context, req verifications.Request) (verify.Result, *billing.Quota, error) {
	v.mu.Lock()
	v.calls++
	v.mu.Unlock()
	time.Sleep(300 * time.Millisecond)
	return v.Verifier.Verify(ctx, req)
}

// Two identical pushes at once verify once: one claims the webhook-id,
// the other waits for its answer and returns it.
func TestConcurrentDuplicatePushesVerifyOnce(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	slow := &slowVerifier{Verifier: e.verifs}
	svc := e.service(slow, inbound.Options{})
	p := push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), `{"emails": ["bob@shop.test", "ann@shop.test"], "reference": "twice"}`)
	var wg sync.WaitGroup
	answers := make([]inbound.Answer, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range 2 {
		wg.Go(func() {
			<-start
			answers[i], errs[i] = svc.Handle(context.Background(), p)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	// One took the push (202), the other got its answer again (200).
	first, again := answers[0], answers[1]
	if first.Replayed {
		first, again = again, first
	}
	if !bytes.Equal(first.Body, again.Body) || accepted(t, first).Accepted != 2 || !again.Replayed || again.Status != http.StatusOK {
		t.Fatalf("answers %d %s and %d %s (replayed %v, %v)", first.Status, first.Body, again.Status, again.Body, first.Replayed, again.Replayed)
	}
	if slow.calls != 2 {
		t.Fatalf("%d verifications asked for, want 2 (one per address)", slow.calls)
	}
	if n := e.count(t, `SELECT count(*) FROM verifications WHERE tenant_id = ?`, a.ID); n != 2 {
		t.Fatalf("%d verifications, want 2", n)
	}
	if n := e.monthUsed(t, a.ID); n != 2 {
		t.Fatalf("month_used %d, want 2", n)
	}
}

// A repeat that arrives while the first is still at work, and waits less
// than that takes, is told to come back; coming back, it gets the answer.
func TestRepeatWhileInProgressIsToldToRetry(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	svc := e.service(&slowVerifier{Verifier: e.verifs}, inbound.Options{Wait: 50 * time.Millisecond, Poll: 10 * time.Millisecond})
	p := push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), `{"emails": ["ann@shop.test"]}`)
	firstDone := make(chan inbound.Answer)
	go func() {
		ans, _ := svc.Handle(context.Background(), p)
		firstDone <- ans
	}()
	waitFor(t, "the claim", func() bool { return e.count(t, `SELECT count(*) FROM inbound_requests WHERE status = 0`) == 1 })
	if _, err := svc.Handle(context.Background(), p); !errors.Is(err, inbound.ErrInProgress) {
		t.Fatalf("repeat during the work: %v, want ErrInProgress", err)
	}
	first := <-firstDone
	later, err := svc.Handle(context.Background(), p)
	if err != nil || !bytes.Equal(later.Body, first.Body) || !later.Replayed {
		t.Fatalf("repeat after: %s %v; first %s", later.Body, err, first.Body)
	}
}

// More than 1,000 addresses is refused with a clear detail, and nothing
// is done.
func TestTooManyAddressesAreRefused(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	emails := make([]string, 1001)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%d@shop.test", i)
	}
	raw, _ := json.Marshal(map[string]any{"emails": emails, "reference": "big"})
	_, err := e.svc.Handle(context.Background(), push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), string(raw)))
	var re *inbound.RequestError
	if !errors.As(err, &re) || re.Status != http.StatusRequestEntityTooLarge || re.Code != inbound.CodeTooManyAddresses ||
		!strings.Contains(re.Detail, "one push takes at most 1,000: upload a list instead") {
		t.Fatalf("1,001 addresses: %v", err)
	}
	e.nothingDone(t, a.ID)
}

// Bodies that are not a push are refused with a stable code and status,
// and nothing is done.
func TestBadBodiesAreRefused(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	cases := []struct {
		body   string
		status int
	}{
		{`not json`, 400},
		{``, 400},
		{`{"emails": "ann@shop.test"}`, 400},
		{`{"emails": [1, 2]}`, 400},
		{`{"emails": ["ann@shop.test"], "reference": 7}`, 400},
		{`{"emails": ["ann@shop.test"], "callback": "x"}`, 400},
		{`{"emails": ["ann@shop.test"]} {"emails": []}`, 400},
		{`["ann@shop.test"]`, 400},
		{`{"emails": []}`, 422},
		{`{}`, 422},
		{`{"emails": ["ann@shop.test"], "reference": "` + strings.Repeat("r", 201) + `"}`, 422},
		{`{"emails": ["ann@shop.test"], "reference": "a\nb"}`, 422},
		{`{"emails": ["ann\u0000@shop.test"]}`, 422},
		{`{"emails": ["` + strings.Repeat("a", 300<<10) + `"]}`, 413},
	}
	for i, c := range cases {
		_, err := e.svc.Handle(context.Background(), push(t, ep.ID, ep.InboundSecret, fmt.Sprintf("msg_%d", i), time.Now(), c.body))
		var re *inbound.RequestError
		if !errors.As(err, &re) || !errors.Is(err, inbound.ErrInvalidPush) || re.Status != c.status || re.Code == "" || re.Detail == "" {
			t.Errorf("%.60q: %v (%+v), want %d", c.body, err, re, c.status)
		}
	}
	e.nothingDone(t, a.ID)
}

// A push the quota cannot take is refused whole, with the numbers, and
// nothing is stored: the sender's retry of the same webhook-id is tried
// afresh.
func TestQuotaRefusalDoesNothing(t *testing.T) {
	e := setup(t)
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	emails := make([]string, 201) // the free plan's day is 200
	for i := range emails {
		emails[i] = fmt.Sprintf("user%d@shop.test", i)
	}
	raw, _ := json.Marshal(map[string]any{"emails": emails})
	p := push(t, ep.ID, ep.InboundSecret, "msg_1", time.Now(), string(raw))
	for range 2 {
		_, err := e.svc.Handle(context.Background(), p)
		var ex *billing.ExceededError
		if !errors.As(err, &ex) || ex.Needed != 201 || ex.Limit != 200 {
			t.Fatalf("over quota: %v", err)
		}
	}
	e.nothingDone(t, a.ID)
}
