package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// signedPush is a CRM's push to an endpoint's inbound URL, signed with the
// official Standard Webhooks library.
type signedPush struct {
	url, secret, id string
	at              time.Time
	body            string
}

// headers are the push's webhook-* headers as name, value pairs (no
// signature without a secret).
func (p signedPush) headers(t *testing.T) []string {
	t.Helper()
	h := []string{"webhook-id", p.id, "webhook-timestamp", strconv.FormatInt(p.at.Unix(), 10)}
	if p.secret == "" {
		return h
	}
	wh, err := standardwebhooks.NewWebhook(p.secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(p.id, p.at, []byte(p.body))
	if err != nil {
		t.Fatal(err)
	}
	return append(h, "webhook-signature", sig)
}

func (p signedPush) send(t *testing.T) response {
	t.Helper()
	req, err := http.NewRequest("POST", p.url, strings.NewReader(p.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	h := p.headers(t)
	for i := 0; i+1 < len(h); i += 2 {
		req.Header.Set(h[i], h[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	return response{Response: res, body: buf.String()}
}

// A CRM pushes addresses in over HTTP: verified like an API call, each
// result delivered back as a signed verification.completed event carrying
// the reference, counted under its own usage source; a replay gets the
// first answer again and costs nothing.
func TestInboundPushOverHTTP(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	api := h.browser()
	rcv := newHookReceiver(t, http.StatusNoContent)
	ep := createEndpoint(t, api, key, rcv.URL+"/crm", "verification.completed")
	push := signedPush{url: h.srv.URL + "/v1/inbound/" + ep.ID, secret: ep.InboundSecret, id: "msg_crm_1", at: time.Now(),
		body: `{"emails": ["ann@shop.test", "nobody@shop.test", "ann@shop.test"], "reference": "crm-batch-7"}`}

	res := push.send(t)
	expect(t, res, http.StatusAccepted, `"reference":"crm-batch-7"`, `"accepted":2`, `"duplicates":1`)
	var acc struct {
		EventIDs []string `json:"event_ids"`
	}
	decodeInto(t, res, &acc)
	if len(acc.EventIDs) != 2 || res.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("answer %s, headers %v", res.body, res.Header)
	}
	eventually(t, "both verification.completed deliveries", func() bool { return len(rcv.requests()) == 2 })
	verdicts := map[string]string{}
	for _, got := range rcv.requests() {
		verifyHook(t, ep.Secret, got)
		var ev struct {
			ID, Type string
			Data     struct{ Email, Status, Reference string }
		}
		if err := json.Unmarshal(got.body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Type != "verification.completed" || ev.Data.Reference != "crm-batch-7" || (ev.ID != acc.EventIDs[0] && ev.ID != acc.EventIDs[1]) {
			t.Fatalf("delivery %s", got.body)
		}
		verdicts[ev.Data.Email] = ev.Data.Status
	}
	if verdicts["ann@shop.test"] != "deliverable" || verdicts["nobody@shop.test"] != "undeliverable" {
		t.Fatalf("verdicts %v", verdicts)
	}

	// The CRM's retry, signed again a minute later: the first answer.
	again := push
	again.at = time.Now().Add(time.Minute)
	replay := again.send(t)
	expect(t, replay, http.StatusOK)
	if replay.body != res.body || replay.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay answered %s (replayed %q), first %s", replay.body, replay.Header.Get("Idempotent-Replayed"), res.body)
	}
	// Counted once, under "inbound".
	var use struct {
		BySource map[string]struct{ Total, Billable int } `json:"by_source"`
	}
	decodeInto(t, api.api("GET", "/v1/usage", key), &use)
	if in := use.BySource["inbound"]; in.Total != 2 || in.Billable != 2 || use.BySource["dashboard"].Total != 0 {
		t.Fatalf("usage by source %+v", use.BySource)
	}
	if n := countVerifications(t, h); n != 2 {
		t.Fatalf("%d verifications after the replay, want 2", n)
	}
}

// Every refused push is a problem with its code, and nothing is verified.
func TestInboundPushRefusals(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	api := h.browser()
	ep := createEndpoint(t, api, key, "http://127.0.0.1:9/crm", "verification.completed")
	other := createEndpoint(t, api, key, "http://127.0.0.1:9/other", "verification.completed")
	url := h.srv.URL + "/v1/inbound/" + ep.ID
	ok := `{"emails": ["ann@shop.test"]}`
	many := `{"emails": [` + strings.Repeat(`"a@shop.test",`, 1000) + `"b@shop.test"]}`
	cases := []struct {
		name   string
		push   signedPush
		status int
		code   string
	}{
		{"unsigned", signedPush{url: url, id: "m1", at: time.Now(), body: ok}, 401, "invalid_signature"},
		{"another endpoint's secret", signedPush{url: url, secret: other.InboundSecret, id: "m2", at: time.Now(), body: ok}, 401, "invalid_signature"},
		{"the signing secret, not the inbound one", signedPush{url: url, secret: ep.Secret, id: "m3", at: time.Now(), body: ok}, 401, "invalid_signature"},
		{"six minutes old", signedPush{url: url, secret: ep.InboundSecret, id: "m4", at: time.Now().Add(-6 * time.Minute), body: ok}, 401, "invalid_signature"},
		{"unknown endpoint", signedPush{url: h.srv.URL + "/v1/inbound/0d1f6a4e-3b2c-4e5f-8a9b-1c2d3e4f5a6b", secret: ep.InboundSecret, id: "m5", at: time.Now(), body: ok}, 401, "invalid_signature"},
		{"malformed endpoint id", signedPush{url: h.srv.URL + "/v1/inbound/not-an-id", secret: ep.InboundSecret, id: "m6", at: time.Now(), body: ok}, 401, "invalid_signature"},
		{"not JSON", signedPush{url: url, secret: ep.InboundSecret, id: "m7", at: time.Now(), body: `{"emails": [`}, 400, "invalid_request"},
		{"no addresses", signedPush{url: url, secret: ep.InboundSecret, id: "m8", at: time.Now(), body: `{"emails": []}`}, 422, "invalid_request"},
		{"1,001 addresses", signedPush{url: url, secret: ep.InboundSecret, id: "m9", at: time.Now(), body: many}, 413, "too_many_addresses"},
		{"over 256 KB", signedPush{url: url, secret: ep.InboundSecret, id: "m10", at: time.Now(),
			body: `{"emails": ["ann@shop.test"], "reference": "` + strings.Repeat("x", 256<<10) + `"}`}, 413, "body_too_large"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			expectProblem(t, c.push.send(t), c.status, c.code)
		})
	}
	if n := countVerifications(t, h); n != 0 {
		t.Fatalf("%d verifications after refused pushes", n)
	}
	// A refused id is not spent: the same id, rightly signed, is taken.
	fixed := signedPush{url: url, secret: ep.InboundSecret, id: "m1", at: time.Now(), body: ok}
	expect(t, fixed.send(t), http.StatusAccepted, `"accepted":1`)
}

func countVerifications(t *testing.T, h *harness) int {
	t.Helper()
	var n int
	if err := h.sys.QueryRow(t.Context(), `SELECT count(*) FROM verifications`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
