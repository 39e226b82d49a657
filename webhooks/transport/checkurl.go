package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"code.dny.dev/ssrf"
)

// maxURLLength keeps endpoint URLs to what every HTTP stack accepts.
const maxURLLength = 2048

// URLError says why an endpoint URL is refused, in a sentence the customer
// who typed it understands.
type URLError struct {
	Reason string // e.g. "must use https", "resolves to 10.0.0.5, a private address"
}

func (e *URLError) Error() string { return "webhook URL " + e.Reason }

// CheckURL validates an endpoint URL when a customer saves it: an absolute
// https URL (http only when AllowHTTP) with a host, no user name or
// password, port 80 or 443, and every address the host resolves to
// passing the dial guard. Addresses inside AllowCIDRs pass on any port.
// The dial guard checks again at every attempt; this check exists so the
// customer learns of the problem while typing, not from failed deliveries.
// extra are the networks the tenant may reach besides the operator's.
func (c *Client) CheckURL(ctx context.Context, raw string, extra []netip.Prefix) error {
	target, reason := c.parseShape(raw)
	if reason != "" {
		return &URLError{Reason: reason}
	}
	port, err := portOf(target)
	if err != nil {
		return &URLError{Reason: "has an invalid port"}
	}
	host := target.Hostname()
	addresses, literal, err := c.addressesOf(ctx, host)
	if err != nil {
		return err
	}
	guard := c.laneFor(extra).guard
	for _, address := range addresses {
		err := guard.check(netip.AddrPortFrom(address, port))
		switch {
		case err == nil:
		case errors.Is(err, ssrf.ErrProhibitedPort):
			return &URLError{Reason: fmt.Sprintf("must use port 443 (or 80), not %d", port)}
		case literal:
			return &URLError{Reason: fmt.Sprintf("points to %s, %s", address, describeAddress(address))}
		default:
			return &URLError{Reason: fmt.Sprintf("resolves to %s, %s", address, describeAddress(address))}
		}
	}
	return nil
}

// parseShape checks what can be checked without DNS; it returns the
// parsed URL or the reason it is refused.
func (c *Client) parseShape(raw string) (*url.URL, string) {
	if strings.TrimSpace(raw) == "" {
		return nil, "is empty"
	}
	if len(raw) > maxURLLength {
		return nil, fmt.Sprintf("is longer than %d characters", maxURLLength)
	}
	target, err := url.Parse(raw)
	if err != nil {
		return nil, "is not a valid URL"
	}
	switch {
	case target.Scheme == "https":
	case target.Scheme == "http" && c.allowHTTP:
	case target.Scheme == "http":
		return nil, "must use https"
	case c.allowHTTP:
		return nil, "must start with https:// or http://"
	default:
		return nil, "must start with https://"
	}
	if target.User != nil {
		return nil, "must not contain a user name or password"
	}
	if target.Hostname() == "" {
		return nil, "must name a host"
	}
	if _, err := portOf(target); err != nil {
		return nil, "has an invalid port"
	}
	return target, ""
}

// portOf is the URL's port, or the scheme's default.
func portOf(target *url.URL) (uint16, error) {
	if raw := target.Port(); raw != "" {
		port, err := strconv.ParseUint(raw, 10, 16)
		if err != nil || port == 0 {
			return 0, fmt.Errorf("invalid port %q", raw)
		}
		return uint16(port), nil
	}
	if target.Scheme == "http" {
		return 80, nil
	}
	return 443, nil
}

// addressesOf returns the host's addresses: an IP literal is its own
// address; a name is resolved, bounded by the client's timeout.
func (c *Client) addressesOf(ctx context.Context, host string) (addresses []netip.Addr, literal bool, err error) {
	if address, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{address}, true, nil
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	addresses, err = c.resolver.LookupNetIP(ctx, "ip", host)
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return nil, false, &URLError{Reason: fmt.Sprintf("names the host %s, which does not exist (DNS)", host)}
	case err != nil:
		// Not the customer's fault for certain: say so, keep the cause.
		return nil, false, fmt.Errorf("webhook URL: looking up %s failed, try again: %w", host, err)
	case len(addresses) == 0:
		return nil, false, &URLError{Reason: fmt.Sprintf("names the host %s, which has no address", host)}
	}
	// The resolver returns IPv4 answers as IPv4-mapped IPv6 addresses;
	// the dialer connects to the IPv4 address, so that is what is checked.
	for i, address := range addresses {
		addresses[i] = address.Unmap()
	}
	return addresses, false, nil
}
