package app

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/lists"
)

// Open redirects: every vector a browser would turn into another site
// lands on the dashboard; paths on this site survive, cleaned.
func TestSafeNext(t *testing.T) {
	for _, bad := range []string{
		"", "//other.host", "///other.host", "/\t/other.host", "/%09/other.host", "/\n/other.host", "/\r\n/other.host",
		`/\other.host`, `\\other.host`, `/%5Cother.host`, `/%5cother.host`, "/%2F/other.host", "/%2f%2fother.host",
		"https://other.host/x", "javascript:alert(1)", "http:/other.host", " //other.host", "other.host",
		"/\x00/other.host", "/\x7f/other.host", "/%00x", "//%09other.host", "/\u0085/other.host",
	} {
		if got := safeNext(bad); got != defaultNext {
			t.Errorf("safeNext(%q) = %q, want %q", bad, got, defaultNext)
		}
	}
	for in, want := range map[string]string{
		"/keys":                 "/keys",
		"/lists?cursor=abc&x=1": "/lists?cursor=abc&x=1",
		"/lists/../keys":        "/keys",
		"/./team":               "/team",
		"/usage?days=30#frag":   "/usage?days=30",
		"/a/b/":                 "/a/b/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientIPTakesRightmostUntrustedHop(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	for _, tc := range []struct {
		trusted []netip.Prefix
		peer    string
		xff     []string
		want    string
	}{
		{nil, "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},                      // no proxies: header ignored
		{proxies, "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9"},                  // peer is no proxy of ours
		{proxies, "10.0.0.2:5000", []string{"198.51.100.1"}, "198.51.100.1"},                    // one proxy
		{proxies, "10.0.0.2:5000", []string{"6.6.6.6, 198.51.100.1, 10.1.1.1"}, "198.51.100.1"}, // spoofed left hop
		{proxies, "10.0.0.2:5000", []string{"6.6.6.6", "198.51.100.1"}, "198.51.100.1"},         // several headers
		{proxies, "10.0.0.2:5000", []string{"10.3.3.3, 10.4.4.4"}, "10.3.3.3"},                  // all ours: the farthest
		{proxies, "10.0.0.2:5000", []string{"6.6.6.6, garbage"}, "10.0.0.2"},                    // unreadable hop: trust nothing past it
		{proxies, "10.0.0.2:5000", []string{"198.51.100.1:4711"}, "198.51.100.1"},
		{proxies, "[2001:db8::1]:443", []string{"2001:db8::2, 2a00::5"}, "2a00::5"},
		{proxies, "10.0.0.2:5000", nil, "10.0.0.2"},
	} {
		s := &Server{Deps: Deps{TrustedProxies: tc.trusted}}
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", tc.peer, tc.xff, got, tc.want)
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	plain := newSecurityHeaders(&url.URL{Scheme: "http", Host: "localhost"})
	if _, ok := plain["Strict-Transport-Security"]; ok {
		t.Error("HSTS over plain http")
	}
	secure := newSecurityHeaders(&url.URL{Scheme: "https", Host: "mailvet.example"})
	if secure["Strict-Transport-Security"] == "" {
		t.Error("no HSTS behind https")
	}
}

func TestErrorTable(t *testing.T) {
	s := &Server{errorTable: newErrorTable()}
	connectErr := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err := pgx.Connect(ctx, "postgres://mailvet@127.0.0.1:1/mailvet?connect_timeout=2")
		return err
	}()
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{actor.ErrForbidden, 403, "forbidden"},
		{fmt.Errorf("cancel: %w", actor.ErrForbidden), 403, "forbidden"},
		{lists.ErrNotFound, 404, "not_found"},
		{errNotFound, 404, "not_found"},
		{&billing.ExceededError{Scope: "daily", Needed: 2, Left: 1, Limit: 10}, 429, "quota_exceeded"},
		{invalidField("name", controlMessage), 422, "invalid_request"},
		{&bodyError{errors.New("unexpected EOF")}, 400, "invalid_request"},
		{&uploadTooLargeError{limit: 1000}, 413, "file_too_large"},
		{connectErr, 503, "service_unavailable"},
		{fmt.Errorf("tenants: %w", context.DeadlineExceeded), 503, "service_unavailable"},
		{errors.New("boom"), 500, "internal_error"},
	} {
		row, _ := s.classify(tc.err)
		if row.status != tc.status || row.code != tc.code {
			t.Errorf("%v: %d %s, want %d %s", tc.err, row.status, row.code, tc.status, tc.code)
		}
	}
	if row, _ := s.classify(connectErr); row.headers["Retry-After"] == "" {
		t.Error("503 without Retry-After")
	}
	if row, _ := s.classify(&uploadTooLargeError{limit: 1000}); row.detail != "The upload is larger than 1000 bytes." {
		t.Errorf("detail %q", row.detail)
	}
	for n, want := range map[int64]string{100 << 20: "100 MB", 512 << 10: "512 KB", 1536 << 10: "1.5 MB", 900: "900 bytes", 4096: "4 KB"} {
		if got := byteSize(n); got != want {
			t.Errorf("byteSize(%d) = %q, want %q", n, got, want)
		}
	}
}
