package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// hookReceiver is a loopback CRM: it keeps every request and answers with
// the status it is told (500 until told otherwise, for dead letters).
type hookReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []hookRequest
	status int
}

type hookRequest struct {
	header http.Header
	body   []byte
}

func newHookReceiver(t *testing.T, status int) *hookReceiver {
	t.Helper()
	rcv := &hookReceiver{status: status}
	rcv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rcv.mu.Lock()
		rcv.got = append(rcv.got, hookRequest{header: r.Header.Clone(), body: body})
		status := rcv.status
		rcv.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"received":true}`)
	}))
	t.Cleanup(rcv.Close)
	return rcv
}

func (rcv *hookReceiver) answer(status int) {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	rcv.status = status
}

func (rcv *hookReceiver) requests() []hookRequest {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	return append([]hookRequest(nil), rcv.got...)
}

// verifyHook checks a delivery with the official Standard Webhooks
// library, not with our own code.
func verifyHook(t *testing.T, secret string, req hookRequest) {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(req.body, req.header); err != nil {
		t.Fatalf("the official library refuses the delivery: %v\n%s", err, req.body)
	}
}

// eventually polls cond until it holds, failing after a generous limit
// (the race detector and two shared cores slow everything).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// createdEndpoint is POST /v1/webhook_endpoints's answer.
type createdEndpoint struct {
	ID            string   `json:"id"`
	URL           string   `json:"url"`
	Events        []string `json:"events"`
	Enabled       bool     `json:"enabled"`
	Secret        string   `json:"secret"`
	InboundSecret string   `json:"inbound_secret"`
}

// createEndpoint makes an endpoint over the API.
func createEndpoint(t *testing.T, api *browser, key, url string, events ...string) createdEndpoint {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"url": url, "events": events, "description": "CRM"})
	res := api.apiJSON("POST", "/v1/webhook_endpoints", key, string(body))
	expect(t, res, http.StatusCreated, `"secret":"whsec_`)
	var c createdEndpoint
	if err := json.Unmarshal([]byte(res.body), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// decodeJSON reads a response body into v.
func decodeInto(t *testing.T, res response, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(res.body), v); err != nil {
		t.Fatalf("%v: %s", err, res.body)
	}
}

type deliveryView struct {
	ID, State string
	EventID   string `json:"event_id"`
	EventType string `json:"event_type"`
	Attempts  int
}

// deliveries reads an endpoint's deliveries (of a state, or "").
func deliveries(t *testing.T, api *browser, key, endpoint, state string) []deliveryView {
	t.Helper()
	res := api.api("GET", "/v1/webhook_endpoints/"+endpoint+"/deliveries?state="+state, key)
	expect(t, res, http.StatusOK)
	var out struct{ Deliveries []deliveryView }
	decodeInto(t, res, &out)
	return out.Deliveries
}

// deliveryCount counts an endpoint's deliveries in a state, on the system
// path: polling it spends none of a key's rate.
func (h *harness) deliveryCount(endpoint, state string) int {
	h.t.Helper()
	var n int
	if err := h.sys.QueryRow(h.t.Context(), `SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = $1 AND state = $2`, endpoint, state).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}
