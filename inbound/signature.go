package inbound

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"mailvet/safetext"
)

// tolerance is how far a push's timestamp may be from now, either way
// (the Standard Webhooks library's own, which Verify enforces again).
const tolerance = 5 * time.Minute

// maxIDLength is inbound_requests.webhook_id's limit.
const maxIDLength = 256

// signedHeaders is what checkHeaders read of a push's headers.
type signedHeaders struct {
	id string
}

// checkHeaders looks at the signature headers before anything is read
// from the database: a push without them, or with a timestamp that is
// not close to now, is refused at no cost. The signature itself is the
// Standard Webhooks library's to check (checkSignature).
func checkHeaders(h http.Header, now time.Time) (signedHeaders, error) {
	id := h.Get(standardwebhooks.HeaderWebhookID)
	ts := h.Get(standardwebhooks.HeaderWebhookTimestamp)
	switch {
	case id == "":
		return signedHeaders{}, unauthorized(ReasonMissingID)
	case len(id) > maxIDLength || safetext.HasControl(id):
		return signedHeaders{}, unauthorized(ReasonBadID)
	case ts == "":
		return signedHeaders{}, unauthorized(ReasonMissingTimestamp)
	case h.Get(standardwebhooks.HeaderWebhookSignature) == "":
		return signedHeaders{}, unauthorized(ReasonMissingSignature)
	}
	secs, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return signedHeaders{}, unauthorized(ReasonBadTimestamp)
	}
	// Compared in seconds: time.Unix of an extreme value would overflow
	// a Duration.
	if d := now.Unix() - secs; d > int64(tolerance/time.Second) || d < -int64(tolerance/time.Second) {
		return signedHeaders{}, unauthorized(ReasonStale)
	}
	return signedHeaders{id: id}, nil
}

// checkSignature verifies the push with the Standard Webhooks library
// under the endpoint's inbound secret.
func checkSignature(secret string, body []byte, h http.Header) error {
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		return err // a stored secret that does not decode: ours to fix, not the sender's
	}
	switch err := wh.Verify(body, h); {
	case err == nil:
		return nil
	case errors.Is(err, standardwebhooks.ErrMessageTooOld), errors.Is(err, standardwebhooks.ErrMessageTooNew):
		return unauthorized(ReasonStale)
	case errors.Is(err, standardwebhooks.ErrInvalidHeaders):
		return unauthorized(ReasonBadTimestamp)
	case errors.Is(err, standardwebhooks.ErrRequiredHeaders):
		return unauthorized(ReasonMissingSignature)
	default:
		return unauthorized(ReasonNoMatch)
	}
}
