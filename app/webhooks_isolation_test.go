package app_test

import (
	"net/http"
	"strings"
	"testing"
)

// Another workspace's endpoints, events, attempts, deliveries and dead
// letters are not found, on the API and on the pages.
func TestWebhookIsolation(t *testing.T) {
	h := newHarness(t)
	acme, beta := h.signUp("Acme", "ann@acme.test"), h.signUp("Beta", "bob@beta.test")
	key, other := newKey(t, acme, "test"), newKey(t, beta, "test")
	api := h.browser()
	rcv := newHookReceiver(t, http.StatusGone) // 410: a dead letter at once
	ep := createEndpoint(t, api, key, rcv.URL)
	path := "/v1/webhook_endpoints/" + ep.ID
	res := api.apiJSON("POST", path+"/test", key, "")
	expect(t, res, http.StatusAccepted)
	var ev struct{ ID string }
	decodeInto(t, res, &ev)
	eventually(t, "a dead letter", func() bool { return len(deliveries(t, api, key, ep.ID, "dead")) == 1 })
	d := deliveries(t, api, key, ep.ID, "dead")[0]

	expect(t, api.api("GET", "/v1/webhook_endpoints", other), http.StatusOK, `{"webhook_endpoints":[]}`)
	expect(t, api.api("GET", "/v1/events", other), http.StatusOK, `"events":[]`)
	for _, c := range []struct{ method, path, body string }{
		{"GET", path, ""}, {"PATCH", path, `{"enabled":true}`}, {"DELETE", path, ""},
		{"POST", path + "/rotate", `{"overlap":"now"}`}, {"POST", path + "/test", ""},
		{"POST", path + "/recover", `{"since":"2020-01-01T00:00:00Z"}`},
		{"GET", path + "/attempts", ""}, {"GET", path + "/deliveries?state=dead", ""},
		{"POST", "/v1/webhook_deliveries/" + d.ID + "/retry", ""}, {"POST", "/v1/events/" + ev.ID + "/redeliver", ""},
	} {
		expectProblem(t, api.apiJSON(c.method, c.path, other, c.body), http.StatusNotFound, "not_found")
	}
	bob := "/webhooks/" + ep.ID
	expect(t, beta.get(bob), http.StatusNotFound)
	expect(t, beta.post(bob+"/test", nil), http.StatusNotFound)
	expect(t, beta.post(bob+"/deliveries/"+d.ID+"/retry", nil), http.StatusNotFound)
	expect(t, beta.post(bob+"/delete", nil), http.StatusNotFound)
	if strings.Contains(beta.get("/webhooks").body, ep.ID) {
		t.Fatal("Beta's webhooks page lists Acme's endpoint")
	}
	// Still there for Acme, untouched.
	expect(t, api.api("GET", path, key), http.StatusOK, `"enabled":false`, "410 Gone")
}
