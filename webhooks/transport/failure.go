package transport

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"time"
)

// attemptError is a failed attempt worded for the customer who reads the
// delivery log; it unwraps to the underlying error for the caller's code
// (errors.Is(err, context.DeadlineExceeded), ssrf.ErrProhibitedIP, …).
type attemptError struct {
	reason string
	cause  error
}

func (e *attemptError) Error() string { return e.reason }

func (e *attemptError) Unwrap() error { return e.cause }

// attemptTimeout is the cause of the attempt's own deadline, so a timeout
// is told apart from the caller cancelling or a shorter caller deadline.
type attemptTimeout struct{ after time.Duration }

func (t *attemptTimeout) Error() string { return fmt.Sprintf("timed out after %s", t.after) }

// Unwrap lets callers test errors.Is(err, context.DeadlineExceeded)
// whichever of the context's error or its cause the stack returns.
func (t *attemptTimeout) Unwrap() error { return context.DeadlineExceeded }

func (t *attemptTimeout) Timeout() bool { return true }

// explain turns a transport error into a sentence. ctx is the attempt's
// context, whose cause says whether our own deadline fired.
func (c *Client) explain(ctx context.Context, err error) error {
	reason := c.reason(ctx, err)
	return &attemptError{reason: reason, cause: err}
}

func (c *Client) reason(ctx context.Context, err error) string {
	var refused *refusal
	if errors.As(err, &refused) {
		return refused.Error()
	}
	var ownDeadline *attemptTimeout
	if errors.As(context.Cause(ctx), &ownDeadline) {
		return ownDeadline.Error()
	}
	if ctx.Err() != nil {
		return "stopped before the endpoint answered: " + context.Cause(ctx).Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return fmt.Sprintf("the host %s was not found (DNS)", dnsErr.Name)
		case dnsErr.IsTimeout:
			return fmt.Sprintf("the DNS lookup of %s timed out", dnsErr.Name)
		default:
			return fmt.Sprintf("the DNS lookup of %s failed: %s", dnsErr.Name, dnsErr.Err)
		}
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		// The dialer, TLS handshake and header waits share the timeout.
		return fmt.Sprintf("timed out after %s", c.timeout)
	}
	if reason := tlsReason(err); reason != "" {
		return reason
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.Is(err, syscall.EHOSTUNREACH):
		return "host unreachable"
	case errors.Is(err, syscall.ENETUNREACH):
		return "network unreachable"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection without a complete answer"
	}
	return innermostMessage(err)
}

// tlsReason words the TLS failures a customer can fix: an untrusted or
// mismatched certificate, or a server that speaks plain HTTP on 443.
func tlsReason(err error) string {
	var verification *tls.CertificateVerificationError
	if errors.As(err, &verification) {
		return "TLS: " + verification.Err.Error()
	}
	var record tls.RecordHeaderError
	if errors.As(err, &record) {
		return "TLS: the server did not answer with TLS (plain HTTP on an https URL?)"
	}
	var alert tls.AlertError
	if errors.As(err, &alert) {
		return "TLS: the server ended the handshake: " + alert.Error()
	}
	return ""
}

// innermostMessage drops the `Post "https://…": dial tcp …:` prefixes the
// standard library adds, which repeat what the delivery log already shows.
func innermostMessage(err error) string {
	for {
		var urlErr *url.Error
		var opErr *net.OpError
		switch {
		case errors.As(err, &urlErr) && urlErr.Err != nil:
			err = urlErr.Err
		case errors.As(err, &opErr) && opErr.Err != nil:
			err = opErr.Err
		default:
			return err.Error()
		}
	}
}
