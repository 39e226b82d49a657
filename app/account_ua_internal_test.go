package app

import "testing"

// Real User-Agent headers, as browsers and tools send them.
const (
	uaChromeMac   = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
	uaSafariIOS   = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	uaFirefoxWin  = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
	uaEdgeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
	uaCurl        = "curl/8.5.0"
)

func TestSessionBrowserLabel(t *testing.T) {
	for _, c := range []struct{ ua, want string }{
		{uaChromeMac, "Chrome on macOS"},
		{uaSafariIOS, "Safari on iOS"},
		{uaFirefoxWin, "Firefox on Windows"},
		{uaEdgeWindows, "Edge on Windows"},
		{uaCurl, "Unknown browser"},
		{"Go-http-client/1.1", "Unknown browser"},
		{"", "Unknown browser"},
		{"garbage", "Unknown browser"},
	} {
		if got := browserLabel(c.ua); got != c.want {
			t.Errorf("browserLabel(%q) = %q, want %q", c.ua, got, c.want)
		}
	}
}
