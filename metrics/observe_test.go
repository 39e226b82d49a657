package metrics

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestRequestLabelsStayFew: no route is "unmatched", a made-up method is
// OTHER, and statuses are counted by class, so a client cannot mint series.
func TestRequestLabelsStayFew(t *testing.T) {
	m := New()
	m.RequestStarted()
	m.RequestFinished("", "BREW", 418, time.Millisecond)
	m.RequestStarted()
	m.RequestFinished("GET /lists/{id}", "GET", 200, time.Millisecond)
	m.RequestStarted()
	m.RequestFinished("GET /lists/{id}", "GET", 204, time.Millisecond)
	if got := testutil.ToFloat64(m.httpRequests.WithLabelValues("unmatched", "OTHER", "4xx")); got != 1 {
		t.Errorf("unmatched BREW 418: %v", got)
	}
	if got := testutil.ToFloat64(m.httpRequests.WithLabelValues("GET /lists/{id}", "GET", "2xx")); got != 2 {
		t.Errorf("GET /lists/{id} 2xx: %v", got)
	}
	if n := testutil.CollectAndCount(m.httpRequests); n != 2 {
		t.Errorf("%d request series, want 2", n)
	}
	if got := testutil.ToFloat64(m.httpInFlight); got != 0 {
		t.Errorf("in flight after all finished: %v", got)
	}
}

func TestHandlerWantsTheToken(t *testing.T) {
	h := New().Handler("0123456789abcdef")
	for auth, want := range map[string]int{"": 401, "Bearer wrong": 401, "Bearer 0123456789abcdef": 200, "bearer 0123456789abcdef": 200} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q: %d, want %d", auth, rec.Code, want)
		}
	}
	rec := httptest.NewRecorder()
	New().Handler("").ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("no token: %d", rec.Code)
	}
}

// BenchmarkRequestObserved is what the HTTP metrics add to one request.
func BenchmarkRequestObserved(b *testing.B) {
	m := New()
	for b.Loop() {
		m.RequestStarted()
		m.RequestFinished("POST /v1/verify", "POST", 200, time.Millisecond)
	}
}
