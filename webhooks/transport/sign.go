package transport

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// secretPrefix marks a Standard Webhooks signing secret, so a customer can
// tell it from the API keys they also hold.
const secretPrefix = "whsec_"

// secretBytes is the length of a signing secret: the HMAC-SHA256 block of
// entropy the specification recommends (24 to 64 bytes).
const secretBytes = 32

// NewSecret makes a signing secret: "whsec_" and 32 random bytes in
// standard base64.
func NewSecret() string {
	key := make([]byte, secretBytes)
	// crypto/rand.Read does not fail on supported platforms (it aborts
	// the program itself if the system generator breaks), so there is no
	// error worth returning.
	_, _ = rand.Read(key)
	return secretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Sign returns the webhook-signature value for one message: a
// space-separated "v1,<signature>" entry for every secret, so while a
// secret rotates a receiver holding either the old or the new one
// verifies the delivery.
func Sign(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", errors.New("webhook signature: no signing secret")
	}
	if msgID == "" {
		return "", errors.New("webhook signature: empty message id")
	}
	entries := make([]string, 0, len(secrets))
	for i, secret := range secrets {
		// The library accepts any base64, even an empty key; an empty or
		// unprefixed secret here is a bug in the caller, not a secret.
		if !strings.HasPrefix(secret, secretPrefix) || len(secret) == len(secretPrefix) {
			return "", fmt.Errorf("webhook signature: secret %d is not a whsec_ secret", i+1)
		}
		hook, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			// The library's error would quote nothing secret, but say
			// only which secret failed.
			return "", fmt.Errorf("webhook signature: secret %d is not valid base64", i+1)
		}
		entry, err := hook.Sign(msgID, ts, body)
		if err != nil {
			return "", fmt.Errorf("webhook signature: %w", err)
		}
		entries = append(entries, entry)
	}
	return strings.Join(entries, " "), nil
}

// Headers returns webhook-id, webhook-timestamp (unix seconds) and
// webhook-signature for one attempt. ts should be the attempt's time, not
// the event's: receivers reject timestamps more than a few minutes old.
func Headers(secrets []string, msgID string, ts time.Time, body []byte) (http.Header, error) {
	signature, err := Sign(secrets, msgID, ts, body)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	// Set canonicalises the names (Webhook-Id); HTTP names are
	// case-insensitive, and the library reads them with Get.
	header.Set(standardwebhooks.HeaderWebhookID, msgID)
	header.Set(standardwebhooks.HeaderWebhookTimestamp, strconv.FormatInt(ts.Unix(), 10))
	header.Set(standardwebhooks.HeaderWebhookSignature, signature)
	return header, nil
}
