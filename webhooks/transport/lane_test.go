package transport

import (
	"errors"
	"net/http"
	"net/netip"
	"testing"

	"code.dny.dev/ssrf"
)

// A tenant allowed a private network reaches it; another tenant, and the
// platform's own lane, still cannot, even right after the allowed
// tenant's attempt left a kept-alive connection to that very host.
func TestTenantAllowanceHasItsOwnConnections(t *testing.T) {
	server := serve(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	client := NewClient(Options{AllowHTTP: true})
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

	if err := client.CheckURL(t.Context(), server.URL, loopback); err != nil {
		t.Fatalf("CheckURL with the tenant's allowance = %v", err)
	}
	if err := client.CheckURL(t.Context(), server.URL, nil); err == nil {
		t.Fatal("CheckURL without an allowance accepted a loopback URL")
	}
	for range 2 { // the second attempt reuses the lane's connection
		if res := client.Post(t.Context(), server.URL, loopback, nil, []byte(`{}`)); !res.Success() {
			t.Fatalf("allowed tenant's attempt: %+v", res)
		}
	}
	for _, other := range [][]netip.Prefix{nil, {netip.MustParsePrefix("10.9.0.0/16")}} {
		res := client.Post(t.Context(), server.URL, other, nil, []byte(`{}`))
		if !errors.Is(res.Err, ssrf.ErrProhibitedIP) {
			t.Errorf("attempt with allowance %v reached the loopback host: %+v", other, res)
		}
	}
	// The same allowance, however written, is one lane.
	same := []netip.Prefix{netip.MustParsePrefix("127.1.2.3/8"), netip.MustParsePrefix("127.0.0.0/8")}
	if client.laneFor(same) != client.laneFor(loopback) {
		t.Error("equal allowances got different lanes")
	}
}
