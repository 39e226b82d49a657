package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// lines is the receiver's stdout: written by the server's goroutines,
// read by the test.
type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// events decodes every line printed so far.
func (l *lines) events(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSuffix(l.buf.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func newSecret(t *testing.T) string {
	t.Helper()
	key := make([]byte, 24)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

// startReceiver serves a receiver that accepts secrets on a real port.
func startReceiver(t *testing.T, secrets ...string) (*httptest.Server, *lines) {
	t.Helper()
	out := &lines{}
	rc, err := newReceiver(secrets, out, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(routes(rc))
	t.Cleanup(srv.Close)
	return srv, out
}

// deliver posts body as mailvet would, signed with secret at ts, and
// returns the status.
func deliver(t *testing.T, srv *httptest.Server, secret, id string, ts time.Time, body string) int {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(id, ts, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+webhookPath, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(standardwebhooks.HeaderWebhookID, id)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	return res.StatusCode
}

func listCompleted(id string) string {
	return `{"id":"` + id + `","type":"list.completed","created_at":"2026-12-02T07:00:00Z","data":{"list_id":"lst_1","rows":1200}}`
}

// A signed delivery is printed once as new; its retry is printed as a
// duplicate and still answered 200, so mailvet stops retrying.
func TestReceiverAcceptsAndDedupes(t *testing.T) {
	secret := newSecret(t)
	srv, out := startReceiver(t, secret)
	body := listCompleted("evt_1")
	if got := deliver(t, srv, secret, "evt_1", time.Now(), body); got != http.StatusOK {
		t.Fatalf("first delivery: %d, want 200", got)
	}
	if got := deliver(t, srv, secret, "evt_1", time.Now(), body); got != http.StatusOK {
		t.Fatalf("retry: %d, want 200", got)
	}
	evs := out.events(t)
	if len(evs) != 2 {
		t.Fatalf("printed %d lines, want 2: %v", len(evs), evs)
	}
	first, retry := evs[0], evs[1]
	if first["id"] != "evt_1" || first["type"] != "list.completed" || first["created_at"] != "2026-12-02T07:00:00Z" || first["duplicate"] != false {
		t.Errorf("first line %v", first)
	}
	if data, _ := first["data"].(map[string]any); data["list_id"] != "lst_1" || data["rows"] != float64(1200) {
		t.Errorf("first line's data %v", first["data"])
	}
	if retry["id"] != "evt_1" || retry["duplicate"] != true {
		t.Errorf("retry line %v", retry)
	}
}

// Deliveries not signed by the endpoint's secret, or signed too long ago
// (a replay), are refused and not printed.
func TestReceiverRefusesBadSignatures(t *testing.T) {
	secret := newSecret(t)
	srv, out := startReceiver(t, secret)
	if got := deliver(t, srv, newSecret(t), "evt_2", time.Now(), listCompleted("evt_2")); got != http.StatusUnauthorized {
		t.Errorf("wrong secret: %d, want 401", got)
	}
	if got := deliver(t, srv, secret, "evt_3", time.Now().Add(-10*time.Minute), listCompleted("evt_3")); got != http.StatusUnauthorized {
		t.Errorf("10-minute-old timestamp: %d, want 401", got)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+webhookPath, strings.NewReader(listCompleted("evt_4")))
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned: %d, want 401", res.StatusCode)
	}
	if evs := out.events(t); len(evs) != 0 {
		t.Errorf("printed %v", evs)
	}
}

// During a rotation either secret is accepted.
func TestReceiverAcceptsEitherSecretDuringRotation(t *testing.T) {
	old, current := newSecret(t), newSecret(t)
	srv, out := startReceiver(t, old, current)
	for i, secret := range []string{old, current} {
		id := "evt_rot" + strconv.Itoa(i)
		if got := deliver(t, srv, secret, id, time.Now(), listCompleted(id)); got != http.StatusOK {
			t.Errorf("signed with secret %d: %d, want 200", i+1, got)
		}
	}
	if evs := out.events(t); len(evs) != 2 {
		t.Errorf("printed %d lines, want 2", len(evs))
	}
	if _, err := newReceiver(splitSecrets(old+" , "+current), io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Errorf("comma-separated secrets: %v", err)
	}
}

// A signed body that is not a JSON event is a 400; one over 1 MB a 413.
func TestReceiverRefusesMalformedBodies(t *testing.T) {
	secret := newSecret(t)
	srv, out := startReceiver(t, secret)
	if got := deliver(t, srv, secret, "evt_5", time.Now(), `{"id":"evt_5",`); got != http.StatusBadRequest {
		t.Errorf("malformed JSON: %d, want 400", got)
	}
	if got := deliver(t, srv, secret, "evt_6", time.Now(), `{"hello":"world"}`); got != http.StatusBadRequest {
		t.Errorf("JSON without id and type: %d, want 400", got)
	}
	huge := `{"id":"evt_7","type":"list.completed","data":{"pad":"` + strings.Repeat("x", maxBody) + `"}}`
	if got := deliver(t, srv, secret, "evt_7", time.Now(), huge); got != http.StatusRequestEntityTooLarge {
		t.Errorf("body over 1 MB: %d, want 413", got)
	}
	if evs := out.events(t); len(evs) != 0 {
		t.Errorf("printed %v", evs)
	}
}

// Seen ids expire after the ttl, and beyond the bound the oldest go.
func TestSeenIDsIsBounded(t *testing.T) {
	now := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	s := newSeenIDs(time.Hour, 2)
	if s.add("a", now) || !s.add("a", now.Add(time.Minute)) {
		t.Fatal("a second add of the same id is not a duplicate")
	}
	if s.add("a", now.Add(time.Hour)) {
		t.Error("an id older than the ttl is still a duplicate")
	}
	s.add("b", now.Add(time.Hour))
	s.add("c", now.Add(time.Hour))
	if s.add("a", now.Add(time.Hour)) {
		t.Error("the oldest id survived a third")
	}
	if len(s.at) > 2 {
		t.Errorf("%d ids held, bound 2", len(s.at))
	}
}
