package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mailvet/webhooks"
)

// queryLimit reads ?limit= (1 to max; absent: the domain's default).
func queryLimit(q url.Values, max int) (int, error) {
	raw := q.Get("limit")
	if raw == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > max {
		return 0, badRequest("limit", fmt.Sprintf("limit: use a whole number from 1 to %d.", max))
	}
	return n, nil
}

// queryTime reads an optional RFC 3339 parameter.
func queryTime(q url.Values, name string) (*time.Time, error) {
	raw := q.Get(name)
	if raw == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return nil, badRequest(name, name+": use an RFC 3339 date-time, like 2026-11-24T10:00:00Z.")
	}
	return &t, nil
}

// handleAPIWebhookAttempts is an endpoint's delivery log, newest first.
func (s *Server) handleAPIWebhookAttempts(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	limit, err := queryLimit(q, 200)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	attempts, err := s.Webhooks.Attempts(r.Context(), apiFrom(r.Context()).tenant.ID, id,
		webhooks.AttemptFilter{EventID: q.Get("event_id"), Limit: limit}, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"attempts": attempts})
}

// handleAPIWebhookDeliveries lists an endpoint's deliveries; ?state=dead
// gives its dead letters.
func (s *Server) handleAPIWebhookDeliveries(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	switch state {
	case "", webhooks.StatePending, webhooks.StateDelivered, webhooks.StateDead:
	default:
		s.apiError(w, r, badRequest("state", "state: use pending, delivered or dead."))
		return
	}
	limit, err := queryLimit(q, 200)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ds, err := s.Webhooks.Deliveries(r.Context(), apiFrom(r.Context()).tenant.ID, id, webhooks.DeliveryFilter{State: state, Limit: limit}, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

// handleAPIWebhookDeliveryRetry sends a dead letter again: 202, 409 when
// it is not dead.
func (s *Server) handleAPIWebhookDeliveryRetry(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, webhooks.ErrNotFound)
		return
	}
	if err := s.Webhooks.Retry(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"id": id.String(), "state": webhooks.StatePending})
}

// handleAPIEvents pages through the workspace's events, newest first, so
// a receiver that was down can catch up.
func (s *Server) handleAPIEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := webhooks.EventFilter{Type: q.Get("type"), Cursor: q.Get("cursor")}
	var err error
	if f.Since, err = queryTime(q, "since"); err == nil {
		if f.Until, err = queryTime(q, "until"); err == nil {
			f.Limit, err = queryLimit(q, 100)
		}
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	page, err := s.Webhooks.Events(r.Context(), apiFrom(r.Context()).tenant.ID, f, s.actor(r))
	if errors.Is(err, webhooks.ErrUnknownEventType) {
		err = fmt.Errorf("%w: %q", webhooks.ErrUnknownEventType, f.Type) // name it, as an endpoint's types are named
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// handleAPIEventRedeliver sends an event again to every enabled endpoint
// that wants it, with the same webhook-id.
func (s *Server) handleAPIEventRedeliver(w http.ResponseWriter, r *http.Request) {
	n, err := s.Webhooks.Redeliver(r.Context(), apiFrom(r.Context()).tenant.ID, r.PathValue("id"), s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"deliveries": n})
}
