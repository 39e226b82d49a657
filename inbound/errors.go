package inbound

import (
	"errors"
	"net/http"
)

// ErrUnauthorized matches every *UnauthorizedError with errors.Is.
var ErrUnauthorized = errors.New("inbound push not authorized")

// UnauthorizedError refuses a push that is not signed with its endpoint's
// inbound secret, is too old or too new, names no endpoint of anyone's, or
// names a disabled one. Nothing was done. The app answers 401 with code
// "invalid_signature" and Reason as the problem's detail. An unknown id
// and another tenant's id are both "unknown endpoint": the id decides the
// secret, so a sender can learn nothing of endpoints it holds no secret of.
type UnauthorizedError struct {
	Reason string
}

func (e *UnauthorizedError) Error() string { return "inbound push not authorized: " + e.Reason }

// Is makes errors.Is(err, ErrUnauthorized) true.
func (e *UnauthorizedError) Is(target error) bool { return target == ErrUnauthorized }

// The reasons of an UnauthorizedError.
const (
	ReasonMissingID        = "missing webhook-id"
	ReasonBadID            = "webhook-id must be 1 to 256 printable characters"
	ReasonMissingTimestamp = "missing webhook-timestamp"
	ReasonBadTimestamp     = "webhook-timestamp must be whole seconds since 1970"
	ReasonMissingSignature = "missing webhook-signature"
	ReasonStale            = "timestamp more than 5 minutes off"
	ReasonNoMatch          = "no matching signature"
	ReasonUnknownEndpoint  = "unknown endpoint"
	ReasonDisabled         = "endpoint disabled"
)

func unauthorized(reason string) error { return &UnauthorizedError{Reason: reason} }

// ErrInvalidPush matches every *RequestError with errors.Is.
var ErrInvalidPush = errors.New("invalid inbound push")

// RequestError refuses a signed push whose body is not one this endpoint
// takes. Nothing was done and nothing is stored (the same body would be
// refused the same way again). The app answers Status with Code and
// Detail as they are.
type RequestError struct {
	Status int    // 400, 413 or 422
	Code   string // one of the Code* constants
	Detail string // a sentence for the sender's developer
}

func (e *RequestError) Error() string { return e.Detail }

// Is makes errors.Is(err, ErrInvalidPush) true.
func (e *RequestError) Is(target error) bool { return target == ErrInvalidPush }

// The stable codes of a RequestError, with their status.
const (
	CodeInvalidRequest   = "invalid_request"    // 400 (not JSON, wrong types, unknown fields) or 422 (values refused)
	CodeBodyTooLarge     = "body_too_large"     // 413: more than MaxBodyBytes
	CodeTooManyAddresses = "too_many_addresses" // 413: more than MaxAddresses
)

func badJSON(detail string) error {
	return &RequestError{Status: http.StatusBadRequest, Code: CodeInvalidRequest, Detail: detail}
}

func refused(detail string) error {
	return &RequestError{Status: http.StatusUnprocessableEntity, Code: CodeInvalidRequest, Detail: detail}
}

// ErrInProgress says a push with this webhook-id is being verified right
// now (sent twice at once, or retried by a sender that gave up waiting):
// the app answers 409 with code "push_in_progress" and Retry-After, and a
// later retry with the same webhook-id gets the first push's answer.
var ErrInProgress = errors.New("a push with this webhook-id is still being verified: retry later for its answer")
