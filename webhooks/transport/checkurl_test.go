package transport

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestCheckURLRefuses(t *testing.T) {
	development := NewClient(Options{AllowHTTP: true})
	production := NewClient(Options{})
	cases := []struct {
		client *Client
		url    string
		reason string
	}{
		{development, "http://10.0.0.1/", "points to 10.0.0.1, a private address"},
		{development, "http://169.254.169.254/latest", "points to 169.254.169.254, the cloud metadata address"},
		{development, "http://[::1]/", "points to ::1, a loopback address"},
		{development, "http://[::ffff:10.0.0.1]/", "an IPv4-mapped IPv6 address"},
		{development, "http://0.0.0.0/", "an unspecified address"},
		{development, "http://100.64.1.1/", "a carrier-grade NAT address"},
		{development, "http://localhost/", "a loopback address"},
		{development, "http://localhost:8080/", "a loopback address"},
		{production, "https://user:pw@example.com/", "must not contain a user name or password"},
		{production, "https://user@example.com/", "must not contain a user name or password"},
		{production, "ftp://x", "must start with https://"},
		{development, "ftp://x", "must start with https:// or http://"},
		{production, "example.com/hook", "must start with https://"},
		{production, "http://example.com/", "must use https"},
		{production, "https:///hook", "must name a host"},
		{production, "https://93.184.215.14:8443/", "must use port 443 (or 80), not 8443"},
		{production, "https://93.184.215.14:99999/", "has an invalid port"},
		{production, "https://exa mple.com/", "is not a valid URL"},
		{production, "", "is empty"},
		{production, "https://example.com/" + strings.Repeat("a", 2048), "is longer than 2048 characters"},
	}
	for _, c := range cases {
		err := c.client.CheckURL(t.Context(), c.url, nil)
		var urlErr *URLError
		if !errors.As(err, &urlErr) {
			t.Errorf("CheckURL(%q) = %v, want a URLError", c.url, err)
			continue
		}
		if !strings.Contains(urlErr.Reason, c.reason) {
			t.Errorf("CheckURL(%q) reason %q, want it to say %q", c.url, urlErr.Reason, c.reason)
		}
	}
}

func TestCheckURLAccepts(t *testing.T) {
	production := NewClient(Options{})
	// IP literals: no DNS needed, so the test runs offline.
	for _, url := range []string{"https://93.184.215.14/hooks/mailvet", "https://93.184.215.14:443/", "http://93.184.215.14:80/", "https://[2606:4700::1111]/h"} {
		if strings.HasPrefix(url, "http://") {
			if err := NewClient(Options{AllowHTTP: true}).CheckURL(t.Context(), url, nil); err != nil {
				t.Errorf("CheckURL(%q) = %v", url, err)
			}
			continue
		}
		if err := production.CheckURL(t.Context(), url, nil); err != nil {
			t.Errorf("CheckURL(%q) = %v", url, err)
		}
	}
}

func TestCheckURLAllowedCIDRReachableOnAnyPort(t *testing.T) {
	server := serve(t, func(http.ResponseWriter, *http.Request) {})
	allowed := NewClient(Options{AllowHTTP: true, AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.1.0.0/16")}})
	for _, url := range []string{server.URL + "/hook", "http://10.1.2.3:9000/", "http://[::ffff:127.0.0.1]:8080/"} {
		if err := allowed.CheckURL(t.Context(), url, nil); err != nil {
			t.Errorf("CheckURL(%q) = %v", url, err)
		}
	}
	// Outside the allowed CIDRs the guard still applies.
	if err := allowed.CheckURL(t.Context(), "http://10.2.0.1/", nil); err == nil {
		t.Error("10.2.0.1 accepted outside the allowed 10.1.0.0/16")
	}
	// Without AllowHTTP the same server is refused for its scheme.
	https := NewClient(Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	var urlErr *URLError
	if err := https.CheckURL(t.Context(), server.URL, nil); !errors.As(err, &urlErr) || urlErr.Reason != "must use https" {
		t.Errorf("http with AllowHTTP false: %v", err)
	}
}

func TestURLErrorReadsAsASentence(t *testing.T) {
	err := &URLError{Reason: "must use https"}
	if err.Error() != "webhook URL must use https" {
		t.Fatalf("Error() = %q", err.Error())
	}
}
