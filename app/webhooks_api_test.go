package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Endpoints over the API: made with their secrets shown once, read,
// changed, rotated and deleted; every bad input answered with a problem
// that says what is wrong.
func TestWebhookAPIEndpoints(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	rcv := newHookReceiver(t, http.StatusOK)

	expect(t, api.api("GET", "/v1/webhook_endpoints", key), http.StatusOK, `{"webhook_endpoints":[]}`)
	c := createEndpoint(t, api, key, rcv.URL+"/hooks", "list.completed", "list.failed")
	if c.Secret == "" || !strings.HasPrefix(c.InboundSecret, "whsec_") || c.Secret == c.InboundSecret || !c.Enabled || len(c.Events) != 2 {
		t.Fatalf("created %+v", c)
	}
	path := "/v1/webhook_endpoints/" + c.ID
	for _, res := range []response{api.api("GET", "/v1/webhook_endpoints", key), api.api("GET", path, key)} {
		expect(t, res, http.StatusOK, c.ID, `"inbound_url":"http://`)
		if strings.Contains(res.body, c.Secret) || strings.Contains(res.body, c.InboundSecret) || strings.Contains(res.body, `"secret"`) {
			t.Fatalf("%s shows a secret again: %s", res.Request.URL.Path, res.body)
		}
	}

	res := api.apiJSON("PATCH", path, key, `{"description":"Sales CRM","events":["list.completed"],"enabled":false}`)
	expect(t, res, http.StatusOK, `"description":"Sales CRM"`, `"events":["list.completed"]`, `"enabled":false`)
	expect(t, api.apiJSON("PATCH", path, key, `{"enabled":true}`), http.StatusOK, `"enabled":true`, `"description":"Sales CRM"`)

	res = api.apiJSON("POST", path+"/rotate", key, `{"overlap":"24h"}`)
	expect(t, res, http.StatusOK, `"secret":"whsec_`, `"previous_secret_until":"`)
	var rotated createdEndpoint
	decodeInto(t, res, &rotated)
	if rotated.Secret == c.Secret || strings.Contains(res.body, "inbound_secret") {
		t.Fatalf("rotation answered %s", res.body)
	}

	// An empty list of types is every type, as absent is.
	expect(t, api.apiJSON("POST", "/v1/webhook_endpoints", key, `{"url":"`+rcv.URL+`/all","events":[]}`), http.StatusCreated, `"events":[]`)

	// Bad input.
	problem := func(method, p, body string, status int, code string, says ...string) {
		t.Helper()
		res := api.apiJSON(method, p, key, body)
		expectProblem(t, res, status, code)
		for _, s := range says {
			if !strings.Contains(res.body, s) {
				t.Fatalf("%s %s: the problem does not say %q: %s", method, p, s, res.body)
			}
		}
	}
	problem("POST", "/v1/webhook_endpoints", `{"url":"`+rcv.URL+`","events":["list.exploded"]}`, 422, "unknown_event_type", `list.exploded`, "list.completed")
	problem("PATCH", path, `{"events":["nope.nope"]}`, 422, "unknown_event_type", "nope.nope")
	problem("POST", "/v1/webhook_endpoints", `{"url":"http://10.1.2.3/hook"}`, 422, "invalid_webhook_url", "10.1.2.3, a private address")
	problem("POST", "/v1/webhook_endpoints", `{"url":"ftp://crm.example/hook"}`, 422, "invalid_webhook_url", "url: the webhook URL")
	problem("POST", "/v1/webhook_endpoints", `{}`, 422, "invalid_webhook_url")
	problem("PATCH", path, `{"url":"http://169.254.169.254/latest"}`, 422, "invalid_webhook_url", "metadata")
	problem("POST", "/v1/webhook_endpoints", `{"url":"`+rcv.URL+`","description":"`+strings.Repeat("x", 501)+`"}`, 422, "invalid_request", "description")
	problem("POST", "/v1/webhook_endpoints", `{"url":"`+rcv.URL+`","secret":"mine"}`, 400, "invalid_request")
	problem("POST", path+"/rotate", `{"overlap":"3d"}`, 422, "invalid_request", "now, 1h, 24h or 7d")
	problem("POST", path+"/recover", `{"since":"yesterday"}`, 422, "invalid_request", "since", "RFC 3339")
	problem("POST", path+"/recover", `{}`, 422, "invalid_request", "since")
	problem("GET", "/v1/events?cursor=bm9wZQ", "", 400, "invalid_request", "cursor")
	problem("GET", "/v1/events?since=monday", "", 400, "invalid_request", "since")
	problem("GET", "/v1/events?until=2026-13-01", "", 400, "invalid_request", "until")
	problem("GET", "/v1/events?type=list.exploded", "", 422, "unknown_event_type", "list.exploded")
	problem("GET", "/v1/events?limit=0", "", 400, "invalid_request", "limit")
	problem("GET", path+"/deliveries?state=lost", "", 400, "invalid_request", "state")
	problem("GET", path+"/attempts?limit=x", "", 400, "invalid_request", "limit")
	problem("GET", "/v1/webhook_endpoints/not-a-uuid", "", 404, "not_found")
	problem("POST", "/v1/webhook_deliveries/not-a-uuid/retry", "", 404, "not_found")
	problem("POST", "/v1/events/evt_nope/redeliver", "", 404, "not_found")

	// A delivered delivery is not a dead letter.
	res = api.apiJSON("POST", path+"/test", key, "")
	expect(t, res, http.StatusAccepted, `"type":"webhook_endpoint.test"`)
	eventually(t, "the test event delivered", func() bool {
		ds := deliveries(t, api, key, c.ID, "delivered")
		return len(ds) == 1
	})
	verifyHook(t, rotated.Secret, rcv.requests()[0])
	verifyHook(t, c.Secret, rcv.requests()[0]) // the overlap: the old secret signs too
	d := deliveries(t, api, key, c.ID, "")[0]
	problem("POST", "/v1/webhook_deliveries/"+d.ID+"/retry", "", 409, "delivery_not_dead")

	expect(t, api.api("DELETE", path, key), http.StatusNoContent)
	problem("GET", path, "", 404, "not_found")
	problem("DELETE", path, "", 404, "not_found")
}

// A list uploaded over the API that completes reaches the CRM as exactly
// one list.completed, signed, with the list's counts and export link.
func TestWebhookListCompletedIsDelivered(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	rcv := newHookReceiver(t, http.StatusNoContent)
	ep := createEndpoint(t, api, key, rcv.URL+"/crm", "list.completed")

	res := api.apiJSON("POST", "/v1/lists", key, `{"name":"From CRM","emails":["deliverable@shop.test","undeliverable@shop.test","risky@shop.test","deliverable@shop.test"]}`)
	expect(t, res, http.StatusCreated)
	l := waitList(t, api, key, decodeList(t, res).ID)
	eventually(t, "the list.completed delivery", func() bool { return len(rcv.requests()) > 0 })
	time.Sleep(500 * time.Millisecond) // long enough for a second delivery to show up, were there one
	got := rcv.requests()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want exactly one", len(got))
	}
	verifyHook(t, ep.Secret, got[0])
	var body struct {
		ID, Type string
		Data     struct {
			ListID     string `json:"list_id"`
			Status     string
			TotalRows  int `json:"total_rows"`
			UniqueRows int `json:"unique_rows"`
			Counts     struct{ Deliverable, Undeliverable, Risky int }
			ExportURL  string `json:"export_url"`
		}
	}
	if err := json.Unmarshal(got[0].body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Type != "list.completed" || body.Data.ListID != l.ID || body.Data.Status != "completed" || body.Data.TotalRows != 4 || body.Data.UniqueRows != 3 ||
		body.Data.Counts.Deliverable != 1 || body.Data.Counts.Undeliverable != 1 || body.Data.Counts.Risky != 1 ||
		!strings.HasSuffix(body.Data.ExportURL, "/v1/lists/"+l.ID+"/export") || got[0].header.Get("webhook-id") != body.ID {
		t.Fatalf("delivery %s", got[0].body)
	}
	// The export link works with the key.
	expect(t, api.api("GET", strings.TrimPrefix(body.Data.ExportURL, h.srv.URL), key), http.StatusOK, "deliverable@shop.test")
	// The event is in /v1/events and can be sent again, with the same id.
	expect(t, api.api("GET", "/v1/events?type=list.completed", key), http.StatusOK, body.ID)
	expect(t, api.apiJSON("POST", "/v1/events/"+body.ID+"/redeliver", key, ""), http.StatusAccepted, `{"deliveries":1}`)
	eventually(t, "the redelivery", func() bool { return len(rcv.requests()) == 2 })
	if again := rcv.requests()[1]; again.header.Get("webhook-id") != body.ID || string(again.body) != string(got[0].body) {
		t.Fatalf("the redelivery changed the id or the body: %s", again.body)
	}
}

// GET /v1/events pages newest first and filters by type and time.
func TestWebhookEventsPagingAndFilters(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	rcv := newHookReceiver(t, http.StatusOK)
	ep := createEndpoint(t, api, key, rcv.URL)
	before := time.Now().UTC().Add(-time.Second).Format(time.RFC3339)
	var ids []string
	for range 5 {
		res := api.apiJSON("POST", "/v1/webhook_endpoints/"+ep.ID+"/test", key, "")
		expect(t, res, http.StatusAccepted)
		var ev struct{ ID string }
		decodeInto(t, res, &ev)
		ids = append(ids, ev.ID)
	}
	type page struct {
		Events []struct{ ID, Type string }
		Next   string `json:"next_cursor"`
	}
	var seen []string
	cursor := ""
	for n := 0; ; n++ {
		res := api.api("GET", "/v1/events?limit=2&type=webhook_endpoint.test&since="+before+"&cursor="+cursor, key)
		expect(t, res, http.StatusOK)
		var p page
		decodeInto(t, res, &p)
		for _, e := range p.Events {
			seen = append(seen, e.ID)
		}
		if p.Next == "" || n > 5 {
			break
		}
		cursor = p.Next
	}
	if len(seen) != 5 || seen[0] != ids[4] || seen[4] != ids[0] {
		t.Fatalf("paged %v, want %v newest first", seen, ids)
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	expect(t, api.api("GET", "/v1/events?since="+future, key), http.StatusOK, `"events":[]`)
	expect(t, api.api("GET", "/v1/events?until="+before, key), http.StatusOK, `"events":[]`)
	expect(t, api.api("GET", "/v1/events?type=list.completed", key), http.StatusOK, `"events":[]`)
}

// A receiver down through every attempt leaves a dead letter; retried over
// the API once it is back, it is delivered, and Recover sends the rest.
func TestWebhookDeadLetterRetriedOverAPI(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	rcv := newHookReceiver(t, http.StatusInternalServerError)
	ep := createEndpoint(t, api, key, rcv.URL)
	path := "/v1/webhook_endpoints/" + ep.ID
	since := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	expect(t, api.apiJSON("POST", path+"/test", key, ""), http.StatusAccepted)
	expect(t, api.apiJSON("POST", path+"/test", key, ""), http.StatusAccepted)
	eventually(t, "two dead letters", func() bool { return len(deliveries(t, api, key, ep.ID, "dead")) == 2 })
	dead := deliveries(t, api, key, ep.ID, "dead")
	if dead[0].Attempts != 3 {
		t.Fatalf("dead after %d attempts, want 3", dead[0].Attempts)
	}
	res := api.api("GET", path+"/attempts?event_id="+dead[0].EventID, key)
	expect(t, res, http.StatusOK, `"status":500`, `"response_body":"{\"received\":true}"`)
	var log struct {
		Attempts []struct {
			EventID string `json:"event_id"`
		}
	}
	decodeInto(t, res, &log)
	if len(log.Attempts) != 3 || log.Attempts[0].EventID != dead[0].EventID {
		t.Fatalf("attempts of %s: %s", dead[0].EventID, res.body)
	}

	rcv.answer(http.StatusOK)
	expect(t, api.apiJSON("POST", "/v1/webhook_deliveries/"+dead[0].ID+"/retry", key, ""), http.StatusAccepted, `"state":"pending"`)
	eventually(t, "the retried delivery", func() bool { return len(deliveries(t, api, key, ep.ID, "delivered")) == 1 })
	got := rcv.requests()
	verifyHook(t, ep.Secret, got[len(got)-1])
	if got[len(got)-1].header.Get("webhook-id") != dead[0].EventID {
		t.Fatal("the retry carries another webhook-id")
	}
	expect(t, api.apiJSON("POST", path+"/recover", key, `{"since":"`+since+`"}`), http.StatusAccepted, `{"recovered":1}`)
	eventually(t, "the recovered delivery", func() bool { return len(deliveries(t, api, key, ep.ID, "delivered")) == 2 })
}
