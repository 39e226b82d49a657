package transport

import (
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"code.dny.dev/ssrf"
)

// guard decides which addresses a delivery may connect to. It runs in the
// dialer's Control hook, after DNS resolution and before connect, so the
// address checked is the address used: a name that resolved to a public
// address when the endpoint was created and to 10.0.0.5 now (DNS
// rebinding) is still refused.
type guard struct {
	allowed  []netip.Prefix
	guardian *ssrf.Guardian
}

func newGuard(allowed []netip.Prefix) *guard {
	var v4, v6 []netip.Prefix
	for _, prefix := range allowed {
		if prefix.Addr().Is4() {
			v4 = append(v4, prefix.Masked())
		} else {
			v6 = append(v6, prefix.Masked())
		}
	}
	return &guard{
		allowed: append(v4, v6...),
		// The guardian checks the port before its allowed prefixes, so on
		// its own it would keep an allowed CIDR on ports 80 and 443; the
		// prefixes are given to it all the same so that it never refuses
		// what the operator allowed, and allows() lets them through on
		// any port first.
		guardian: ssrf.New(ssrf.WithAllowedV4Prefixes(v4...), ssrf.WithAllowedV6Prefixes(v6...)),
	}
}

// allows reports whether addr lies in an operator-allowed CIDR. An
// IPv4-mapped IPv6 address is compared as the IPv4 address it carries, so
// "::ffff:127.0.0.1" matches 127.0.0.1/32.
func (g *guard) allows(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, prefix := range g.allowed {
		if prefix.Contains(addr) {
			return true
		}
	}
	return false
}

// check refuses a destination the guard does not let through.
func (g *guard) check(destination netip.AddrPort) error {
	if g.allows(destination.Addr()) {
		return nil
	}
	// The address before the port (the guardian's own order is the
	// reverse): "a private address" is the answer that explains.
	if err := g.guardian.SafeAddr(destination.Addr()); err != nil {
		return &refusal{destination: destination, err: err}
	}
	if err := g.guardian.SafeAddrPort(destination); err != nil {
		return &refusal{destination: destination, err: err}
	}
	return nil
}

// control is the net.Dialer Control hook.
func (g *guard) control(network, address string, conn syscall.RawConn) error {
	destination, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusal{err: fmt.Errorf("%w: %s", ssrf.ErrInvalidHostPort, address)}
	}
	if err := g.check(destination); err != nil {
		return err
	}
	if g.allows(destination.Addr()) {
		return nil
	}
	// Safe repeats the address and port checks and adds the network's.
	if err := g.guardian.Safe(network, address, conn); err != nil {
		return &refusal{destination: destination, err: err}
	}
	return nil
}

// refusal is the guard's answer, worded for the customer who owns the
// endpoint; it unwraps to the ssrf package's error.
type refusal struct {
	destination netip.AddrPort
	err         error
}

func (r *refusal) Error() string { return "refused by the SSRF guard: " + r.reason() }

func (r *refusal) Unwrap() error { return r.err }

// reason says what is wrong with the destination, without the prefix.
func (r *refusal) reason() string {
	switch {
	case errors.Is(r.err, ssrf.ErrProhibitedIP):
		return fmt.Sprintf("%s is %s", r.destination.Addr(), describeAddress(r.destination.Addr()))
	case errors.Is(r.err, ssrf.ErrProhibitedPort):
		return fmt.Sprintf("port %d is not allowed (only 80 and 443)", r.destination.Port())
	case errors.Is(r.err, ssrf.ErrProhibitedNetwork):
		return "only TCP connections are allowed"
	default:
		return r.err.Error()
	}
}

// describeAddress names the kind of non-public address, with an article,
// for sentences like "10.0.0.5 is a private address".
func describeAddress(addr netip.Addr) string {
	// Cloud providers serve instance credentials here: the classic SSRF
	// target, named so the refusal is not mistaken for a bug.
	cloudMetadata := netip.AddrFrom4([4]byte{169, 254, 169, 254})
	// Carrier-grade NAT space (RFC 6598).
	sharedAddressSpace := netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64, 0, 0}), 10)
	plain := addr.Unmap()
	switch {
	case addr.Is4In6():
		return "an IPv4-mapped IPv6 address (use the IPv4 address itself)"
	case plain == cloudMetadata:
		return "the cloud metadata address"
	case plain.IsLoopback():
		return "a loopback address"
	case plain.IsPrivate():
		return "a private address"
	case plain.IsLinkLocalUnicast():
		return "a link-local address"
	case plain.IsUnspecified():
		return "an unspecified address"
	case plain.IsMulticast(), plain.IsLinkLocalMulticast(), plain.IsInterfaceLocalMulticast():
		return "a multicast address"
	case sharedAddressSpace.Contains(plain):
		return "a carrier-grade NAT address"
	default:
		return "a reserved address, not reachable on the public internet"
	}
}
