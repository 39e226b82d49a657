package app_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"reflect"
	"testing"
	"time"

	"mailvet/webhooks"
)

// contractWebhooks drives every webhook operation to a success and an
// error, against a loopback receiver that fails until told otherwise.
func contractWebhooks(t *testing.T, c *contract, key, other string) {
	rcv := newHookReceiver(t, http.StatusInternalServerError)
	expect(t, c.call("GET", "/v1/webhook_endpoints", key, ""), http.StatusOK)
	expectProblem(t, c.call("GET", "/v1/webhook_endpoints", "mv_test_tooshort", ""), http.StatusUnauthorized, "invalid_api_key")
	res := c.call("POST", "/v1/webhook_endpoints", key, `{"url":"`+rcv.URL+`/crm","description":"CRM","events":["webhook_endpoint.test","list.completed"]}`)
	expect(t, res, http.StatusCreated, `"inbound_secret":"whsec_`)
	var ep struct {
		ID            string
		InboundSecret string `json:"inbound_secret"`
	}
	decodeInto(t, res, &ep)
	path := "/v1/webhook_endpoints/" + ep.ID
	expectProblem(t, c.call("POST", "/v1/webhook_endpoints", key, `{"url":"http://10.0.0.1/"}`), http.StatusUnprocessableEntity, "invalid_webhook_url")
	expectProblem(t, c.call("POST", "/v1/webhook_endpoints", key, `{"url":"`+rcv.URL+`","events":["no.such"]}`), http.StatusUnprocessableEntity, "unknown_event_type")
	expectProblem(t, c.refused("POST", "/v1/webhook_endpoints", key, `{"url":"`+rcv.URL+`","x":1}`), http.StatusBadRequest, "invalid_request")

	expect(t, c.call("GET", path, key, ""), http.StatusOK)
	expectProblem(t, c.call("GET", path, other, ""), http.StatusNotFound, "not_found")
	expect(t, c.call("PATCH", path, key, `{"description":"Sales CRM"}`), http.StatusOK)
	expectProblem(t, c.call("PATCH", path, key, `{"url":"http://169.254.169.254/"}`), http.StatusUnprocessableEntity, "invalid_webhook_url")
	expect(t, c.call("POST", path+"/rotate", key, `{"overlap":"1h"}`), http.StatusOK, `"secret":"whsec_`)
	expectProblem(t, c.call("POST", path+"/rotate", key, `{"overlap":"1y"}`), http.StatusUnprocessableEntity, "invalid_request")

	res = c.call("POST", path+"/test", key, "")
	expect(t, res, http.StatusAccepted)
	var ev struct{ ID string }
	decodeInto(t, res, &ev)
	expectProblem(t, c.call("POST", "/v1/webhook_endpoints/0b0e8a3c-5d37-4c1c-9a55-2f7f8d1e6a01/test", key, ""), http.StatusNotFound, "not_found")
	eventually(t, "a dead letter", func() bool { return c.h.deliveryCount(ep.ID, "dead") == 1 })
	dead := deliveries(t, c.client, key, ep.ID, "dead")
	expect(t, c.call("GET", path+"/deliveries?state=dead", key, ""), http.StatusOK, dead[0].ID)
	expectProblem(t, c.call("GET", path+"/deliveries?state=gone", key, ""), http.StatusBadRequest, "invalid_request")
	expect(t, c.call("GET", path+"/attempts?event_id="+ev.ID+"&limit=10", key, ""), http.StatusOK, `"status":500`)
	expectProblem(t, c.call("GET", path+"/attempts?limit=1000", key, ""), http.StatusBadRequest, "invalid_request")

	expect(t, c.call("GET", "/v1/events?type=webhook_endpoint.test&limit=1", key, ""), http.StatusOK, ev.ID)
	expectProblem(t, c.call("GET", "/v1/events?type=no.such", key, ""), http.StatusUnprocessableEntity, "unknown_event_type")
	expectProblem(t, c.call("GET", "/v1/events?since=soon", key, ""), http.StatusBadRequest, "invalid_request")

	rcv.answer(http.StatusOK)
	expect(t, c.call("POST", "/v1/webhook_deliveries/"+dead[0].ID+"/retry", key, ""), http.StatusAccepted)
	eventually(t, "the retried delivery", func() bool { return c.h.deliveryCount(ep.ID, "delivered") == 1 })
	expectProblem(t, c.call("POST", "/v1/webhook_deliveries/"+dead[0].ID+"/retry", key, ""), http.StatusConflict, "delivery_not_dead")
	since := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	expect(t, c.call("POST", path+"/recover", key, `{"since":"`+since+`"}`), http.StatusAccepted, `{"recovered":0}`)
	expectProblem(t, c.call("POST", path+"/recover", key, `{"since":"an hour ago"}`), http.StatusUnprocessableEntity, "invalid_request")
	expect(t, c.call("POST", "/v1/events/"+ev.ID+"/redeliver", key, ""), http.StatusAccepted, `{"deliveries":1}`)
	expectProblem(t, c.call("POST", "/v1/events/"+ev.ID+"/redeliver", other, ""), http.StatusNotFound, "not_found")
	contractInbound(t, c, ep.ID, ep.InboundSecret)
	// Let the redelivery land before the endpoint goes.
	eventually(t, "the redelivery", func() bool { return c.h.deliveryCount(ep.ID, "delivered") == 2 })
	expect(t, c.call("DELETE", path, key, ""), http.StatusNoContent)
	expectProblem(t, c.call("DELETE", path, key, ""), http.StatusNotFound, "not_found")
}

// Every event type is documented: the EventType enum names each, and
// components.examples holds one example per type whose data is the
// type's own example in webhooks.Types(), valid against WebhookEvent.
func TestOpenAPIDocumentsEveryEventType(t *testing.T) {
	doc := servedOpenAPI(t)
	enum := doc.Components.Schemas["EventType"].Value.Enum
	event := doc.Components.Schemas["WebhookEvent"].Value
	for _, typ := range webhooks.Types() {
		found := false
		for _, v := range enum {
			found = found || v == typ.Name
		}
		if !found {
			t.Errorf("EventType does not name %s", typ.Name)
		}
		ex := doc.Components.Examples[typ.Name]
		if ex == nil || ex.Value == nil {
			t.Errorf("no example of %s under components.examples", typ.Name)
			continue
		}
		value, _ := ex.Value.Value.(map[string]any)
		var want any
		b, _ := json.Marshal(typ.Example)
		_ = json.Unmarshal(b, &want)
		if value["type"] != typ.Name || !reflect.DeepEqual(value["data"], want) {
			t.Errorf("the example of %s is not webhooks.Types()'s:\n got %v\nwant %v", typ.Name, value["data"], want)
		}
		if err := event.VisitJSON(value); err != nil {
			t.Errorf("the example of %s does not match WebhookEvent: %v", typ.Name, err)
		}
	}
	if len(enum) != len(webhooks.Types()) {
		t.Errorf("EventType names %d types, webhooks.Types() has %d", len(enum), len(webhooks.Types()))
	}
}

// contractInbound pushes addresses in: taken, replayed, and refused.
func contractInbound(t *testing.T, c *contract, endpointID, secret string) {
	path := "/v1/inbound/" + endpointID
	p := signedPush{secret: secret, id: "msg_contract", at: time.Now(), body: `{"emails":["ann@shop.test"],"reference":"contract"}`}
	expect(t, c.call("POST", path, "", p.body, p.headers(t)...), http.StatusAccepted, `"accepted":1`)
	expect(t, c.call("POST", path, "", p.body, p.headers(t)...), http.StatusOK, `"accepted":1`)
	unsigned := p
	unsigned.secret = ""
	expectProblem(t, c.refused("POST", path, "", p.body, unsigned.headers(t)...), http.StatusUnauthorized, "invalid_signature")
	wrong := p
	wrong.secret, wrong.id = "whsec_"+base64.StdEncoding.EncodeToString(make([]byte, 24)), "msg_wrong"
	expectProblem(t, c.call("POST", path, "", p.body, wrong.headers(t)...), http.StatusUnauthorized, "invalid_signature")
	bad := p
	bad.id, bad.body = "msg_bad", `{"emails":["ann@shop.test"],"reference":"a\u0007b"}`
	expectProblem(t, c.call("POST", path, "", bad.body, bad.headers(t)...), http.StatusUnprocessableEntity, "invalid_request")
}
