package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"code.dny.dev/ssrf"
)

// loopback is the CIDR that lets the tests reach their httptest servers,
// the way an operator would allow an internal CRM.
func loopbackClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.AllowCIDRs = append(o.AllowCIDRs, netip.MustParsePrefix("127.0.0.1/32"))
	o.AllowHTTP = true
	return NewClient(o)
}

func serve(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	server := httptest.NewServer(handler)
	t.Cleanup(server.Close)
	return server
}

func TestPostSendsRequestAndReportsSuccess(t *testing.T) {
	var got *http.Request
	var gotBody []byte
	server := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		gotBody, _ = io.ReadAll(r.Body)
		w.Header().Set("X-Receiver", "crm")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	body := []byte(`{"type":"list.completed"}`)
	header := http.Header{"webhook-id": {"msg_1"}, "X-Custom": {"a", "b"}}

	result := loopbackClient(t, Options{}).Post(t.Context(), server.URL+"/hooks", nil, header, body)

	if !result.Success() || result.Status != http.StatusAccepted || result.Err != nil {
		t.Fatalf("result = %+v", result)
	}
	if result.Body != `{"ok":true}` || result.Header.Get("X-Receiver") != "crm" || result.Latency <= 0 {
		t.Fatalf("result = %+v", result)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/hooks" || string(gotBody) != string(body) {
		t.Fatalf("request %s %s %q", got.Method, got.URL.Path, gotBody)
	}
	if got.Header.Get("Content-Type") != "application/json" || got.Header.Get("User-Agent") != "mailvet-webhooks/1" {
		t.Fatalf("request headers %v", got.Header)
	}
	if got.Header.Get("Webhook-Id") != "msg_1" || strings.Join(got.Header.Values("X-Custom"), ",") != "a,b" {
		t.Fatalf("given headers not sent: %v", got.Header)
	}
}

func TestPostDoesNotFollowRedirects(t *testing.T) {
	var followed atomic.Bool
	server := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Store(true)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	})
	result := loopbackClient(t, Options{}).Post(t.Context(), server.URL+"/hook", nil, nil, []byte(`{}`))
	if result.Status != http.StatusFound || result.Success() || result.Err != nil {
		t.Fatalf("result = %+v", result)
	}
	if followed.Load() {
		t.Fatal("redirect followed")
	}
	if result.Header.Get("Location") != "/elsewhere" {
		t.Fatalf("Location = %q", result.Header.Get("Location"))
	}
}

func TestPostStatusesAndRetryAfter(t *testing.T) {
	inOneHour := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	cases := []struct {
		status     int
		retryAfter string
		min, max   time.Duration
	}{
		{http.StatusGone, "", 0, 0},
		{http.StatusTooManyRequests, "120", 2 * time.Minute, 2 * time.Minute},
		{http.StatusTooManyRequests, "", 0, 0},
		{http.StatusServiceUnavailable, inOneHour, 58 * time.Minute, time.Hour + time.Second},
		{http.StatusServiceUnavailable, "9999999", 24 * time.Hour, 24 * time.Hour},
		{http.StatusInternalServerError, "120", 0, 0}, // only 429 and 503 count
	}
	for _, c := range cases {
		server := serve(t, func(w http.ResponseWriter, r *http.Request) {
			if c.retryAfter != "" {
				w.Header().Set("Retry-After", c.retryAfter)
			}
			w.WriteHeader(c.status)
		})
		result := loopbackClient(t, Options{}).Post(t.Context(), server.URL, nil, nil, []byte(`{}`))
		if result.Status != c.status || result.Success() || result.Err != nil {
			t.Fatalf("%d: result = %+v", c.status, result)
		}
		if result.RetryAfter < c.min || result.RetryAfter > c.max {
			t.Fatalf("%d Retry-After %q: %s, want %s..%s", c.status, c.retryAfter, result.RetryAfter, c.min, c.max)
		}
	}
}

func TestPostKeepsOnlyBodyLimit(t *testing.T) {
	chunk := []byte(strings.Repeat("x", 64<<10))
	huge := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for written := 0; written < 10<<20; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	endless := serve(t, func(w http.ResponseWriter, r *http.Request) {
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	client := loopbackClient(t, Options{})
	for name, server := range map[string]*httptest.Server{"10 MB": huge, "endless": endless} {
		result := client.Post(t.Context(), server.URL, nil, nil, []byte(`{}`))
		if !result.Success() || len(result.Body) != defaultBodyLimit {
			t.Fatalf("%s body: success=%v, %d bytes kept, err %v", name, result.Success(), len(result.Body), result.Err)
		}
	}
}

func TestPostTimesOut(t *testing.T) {
	// The handlers wait for release, closed by a cleanup registered after
	// the servers' so it runs first: server.Close waits for handlers.
	release := make(chan struct{})
	silent := serve(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
	})
	stalledBody := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		<-release
	})
	t.Cleanup(func() { close(release) })
	client := loopbackClient(t, Options{Timeout: 200 * time.Millisecond})

	result := client.Post(t.Context(), silent.URL, nil, nil, []byte(`{}`))
	if result.Status != 0 || result.Err == nil || result.Err.Error() != "timed out after 200ms" {
		t.Fatalf("silent server: %+v", result)
	}
	if !errors.Is(result.Err, context.DeadlineExceeded) {
		t.Fatalf("timeout error does not unwrap to DeadlineExceeded: %v", result.Err)
	}

	result = client.Post(t.Context(), stalledBody.URL, nil, nil, []byte(`{}`))
	if result.Status != http.StatusOK || result.Body != "partial" || result.Success() {
		t.Fatalf("stalled body: %+v", result)
	}
	if result.Err == nil || !strings.Contains(result.Err.Error(), "timed out after 200ms") {
		t.Fatalf("stalled body error: %v", result.Err)
	}
}

func TestPostCallerCancelIsNotATimeout(t *testing.T) {
	release := make(chan struct{})
	server := serve(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	t.Cleanup(func() { close(release) })
	ctx, cancel := context.WithCancel(t.Context())
	go func() { time.Sleep(50 * time.Millisecond); cancel() }()
	result := loopbackClient(t, Options{}).Post(ctx, server.URL, nil, nil, []byte(`{}`))
	if result.Err == nil || !strings.Contains(result.Err.Error(), "stopped before the endpoint answered") {
		t.Fatalf("cancelled: %v", result.Err)
	}
}

func TestPostGuardRefusesLoopbackUnlessAllowed(t *testing.T) {
	var hits atomic.Int32
	server := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })

	guarded := NewClient(Options{AllowHTTP: true})
	result := guarded.Post(t.Context(), server.URL, nil, nil, []byte(`{}`))
	if result.Status != 0 || result.Err == nil {
		t.Fatalf("guarded: %+v", result)
	}
	if want := "refused by the SSRF guard: 127.0.0.1 is a loopback address"; result.Err.Error() != want {
		t.Fatalf("guarded error %q, want %q", result.Err, want)
	}
	if !errors.Is(result.Err, ssrf.ErrProhibitedIP) {
		t.Fatalf("guard error does not unwrap to ssrf.ErrProhibitedIP: %v", result.Err)
	}
	if hits.Load() != 0 {
		t.Fatal("the guarded request reached the server")
	}

	// Allowed CIDR: reachable on the server's random port, not just 80/443.
	if result := loopbackClient(t, Options{}).Post(t.Context(), server.URL, nil, nil, []byte(`{}`)); !result.Success() {
		t.Fatalf("allowed: %+v", result)
	}
	if hits.Load() != 1 {
		t.Fatalf("server hits = %d, want 1", hits.Load())
	}
}

func TestPostRefusesHTTPUnlessAllowed(t *testing.T) {
	var hits atomic.Int32
	server := serve(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	client := NewClient(Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	result := client.Post(t.Context(), server.URL, nil, nil, []byte(`{}`))
	var urlErr *URLError
	if !errors.As(result.Err, &urlErr) || urlErr.Reason != "must use https" || hits.Load() != 0 {
		t.Fatalf("http with AllowHTTP false: %+v", result)
	}
}

func TestPostNamesConnectionAndTLSFailures(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + listener.Addr().String()
	listener.Close()
	client := loopbackClient(t, Options{})
	if result := client.Post(t.Context(), closedURL, nil, nil, nil); result.Err == nil || result.Err.Error() != "connection refused" {
		t.Fatalf("closed port: %+v", result)
	}

	tlsServer := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake failure is the point
	tlsServer.StartTLS()
	defer tlsServer.Close()
	result := client.Post(t.Context(), tlsServer.URL, nil, nil, nil)
	if result.Err == nil || !strings.HasPrefix(result.Err.Error(), "TLS: ") || result.Status != 0 {
		t.Fatalf("untrusted certificate: %+v", result)
	}
}

func TestPostKeepsBoundedHeaders(t *testing.T) {
	server := serve(t, func(w http.ResponseWriter, r *http.Request) {
		// 60 headers and one long value, within the 64 KB the
		// transport reads at all.
		for i := range 60 {
			w.Header().Set(fmt.Sprintf("X-Filler-%02d", i), strings.Repeat("v", 800))
		}
		w.Header().Set("X-Filler-00", strings.Repeat("l", 5000))
	})
	result := loopbackClient(t, Options{}).Post(t.Context(), server.URL, nil, nil, nil)
	if result.Err != nil {
		t.Fatal(result.Err)
	}
	count := 0
	for _, values := range result.Header {
		for _, value := range values {
			count++
			if len(value) > maxHeaderValue {
				t.Fatalf("header value of %d bytes kept", len(value))
			}
		}
	}
	if count == 0 || count > maxKeptHeaders {
		t.Fatalf("%d header values kept, want 1..%d", count, maxKeptHeaders)
	}
}
