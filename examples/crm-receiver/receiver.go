package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const (
	// maxBody bounds what one delivery may make us read; mailvet's events
	// are a few kilobytes.
	maxBody = 1 << 20
	// A delivery is retried for about 28 hours, and redeliveries reuse the
	// id, so a day's worth of ids catches nearly every repeat.
	seenTTL = 24 * time.Hour
	seenMax = 100_000
)

// event is the envelope of every mailvet webhook. Data is kept as it came:
// its shape depends on Type.
type event struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt string          `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// eventLine is what the receiver prints for each delivery, one JSON
// object a line.
type eventLine struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt string          `json:"created_at"`
	Duplicate bool            `json:"duplicate"`
	Data      json.RawMessage `json:"data,omitempty"`
}

// receiver verifies, dedupes and prints mailvet webhook deliveries.
type receiver struct {
	hooks []*standardwebhooks.Webhook // one per accepted secret
	log   *slog.Logger
	now   func() time.Time

	mu   sync.Mutex // orders dedupe and output: a duplicate never prints before its original
	seen *seenIDs
	out  *json.Encoder
}

// newReceiver returns the handler for POST /webhooks/mailvet. It accepts a
// delivery signed with any of secrets (whsec_…): while a secret is being
// rotated, mailvet signs with both the old and the new one. Events go to out
// as JSON lines; errors are logged to log.
func newReceiver(secrets []string, out io.Writer, log *slog.Logger) (http.Handler, error) {
	rc := &receiver{log: log, now: time.Now, seen: newSeenIDs(seenTTL, seenMax), out: json.NewEncoder(out)}
	rc.out.SetEscapeHTML(false)
	for i, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("secret %d is not a whsec_ secret: %w", i+1, err)
		}
		rc.hooks = append(rc.hooks, wh)
	}
	if len(rc.hooks) == 0 {
		return nil, errors.New("no webhook secret: set -secret or MAILVET_WEBHOOK_SECRET")
	}
	return rc, nil
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "body larger than 1 MB", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	// Verify before parsing: nothing unauthenticated is looked at.
	if err := rc.verify(body, r.Header); err != nil {
		rc.log.Warn("rejected delivery", "webhook_id", r.Header.Get(standardwebhooks.HeaderWebhookID), "err", err)
		http.Error(w, "invalid signature", http.StatusUnauthorized)
		return
	}
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Type == "" {
		http.Error(w, "body is not a mailvet event", http.StatusBadRequest)
		return
	}
	// Dedupe on the header, as the Standard Webhooks spec says: it is the
	// same on every retry and redelivery of one event.
	if err := rc.handle(r.Header.Get(standardwebhooks.HeaderWebhookID), ev); err != nil {
		rc.log.Error("cannot record event", "webhook_id", r.Header.Get(standardwebhooks.HeaderWebhookID), "err", err)
		http.Error(w, "cannot record event", http.StatusInternalServerError)
		return
	}
	// Answer at once: mailvet waits 15 s at most and retries what is not
	// a 2xx. Slow work belongs in a queue, after this answer.
	w.WriteHeader(http.StatusOK)
}

// verify accepts the body if any of the secrets signed it within the
// library's five minutes of tolerance.
func (rc *receiver) verify(body []byte, h http.Header) error {
	var err error
	for _, wh := range rc.hooks {
		if err = wh.Verify(body, h); err == nil {
			return nil
		}
	}
	return err
}

// handle prints the event, marked as a duplicate if its webhook id was
// seen already. This is where a CRM would do (or enqueue) its work.
func (rc *receiver) handle(webhookID string, ev event) error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	dup := rc.seen.add(webhookID, rc.now())
	err := rc.out.Encode(eventLine{ID: ev.ID, Type: ev.Type, CreatedAt: ev.CreatedAt, Duplicate: dup, Data: ev.Data})
	if err != nil && !dup {
		// Not recorded, so mailvet's retry must count as new.
		rc.seen.forget(webhookID)
	}
	return err
}
