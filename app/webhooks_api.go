package app

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"mailvet/webhooks"
)

// newEndpointRequest is POST /v1/webhook_endpoints. The URL, the
// description and the event types are the domain's to judge (the SSRF
// guard's rules, the known types), so the edge only decodes them.
type newEndpointRequest struct {
	URL         string    `json:"url"`
	Description string    `json:"description"`
	Events      *[]string `json:"events"` // absent, null or []: every type
}

// endpointPatch is PATCH /v1/webhook_endpoints/{id}: absent fields stay.
type endpointPatch struct {
	URL         *string   `json:"url"`
	Description *string   `json:"description"`
	Events      *[]string `json:"events"`
	Enabled     *bool     `json:"enabled"`
}

type rotateRequest struct {
	Overlap string `json:"overlap"`
}

type recoverRequest struct {
	Since string `json:"since" validate:"required"`
}

// rotatedJSON is a rotation's answer: the endpoint and its new signing
// secret, shown this once (the inbound secret does not change).
type rotatedJSON struct {
	webhooks.Endpoint
	Secret string `json:"secret"`
}

// endpointID reads {id}; a malformed one is not found, like another
// tenant's.
func endpointID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, webhooks.ErrNotFound
	}
	return id, nil
}

func (s *Server) handleAPIWebhookEndpoints(w http.ResponseWriter, r *http.Request) {
	list, err := s.Webhooks.List(r.Context(), apiFrom(r.Context()).tenant.ID, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if list == nil {
		list = []webhooks.Endpoint{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhook_endpoints": list})
}

// handleAPIWebhookEndpointCreate makes an endpoint: 201 with its signing
// and inbound secrets, which no later answer shows.
func (s *Server) handleAPIWebhookEndpointCreate(w http.ResponseWriter, r *http.Request) {
	var req newEndpointRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	c, err := s.Webhooks.Create(r.Context(), apiFrom(r.Context()).tenant.ID,
		webhooks.EndpointInput{URL: &req.URL, Description: &req.Description, Events: req.Events}, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

func (s *Server) handleAPIWebhookEndpointGet(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	e, err := s.Webhooks.Get(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

// handleAPIWebhookEndpointUpdate changes any of url, description, events
// and enabled; enabling a disabled endpoint clears why it was disabled.
func (s *Server) handleAPIWebhookEndpointUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req endpointPatch
	if !s.decodeJSON(w, r, &req) {
		return
	}
	e, err := s.Webhooks.Update(r.Context(), apiFrom(r.Context()).tenant.ID, id,
		webhooks.EndpointInput{URL: req.URL, Description: req.Description, Events: req.Events, Enabled: req.Enabled}, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (s *Server) handleAPIWebhookEndpointDelete(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.Webhooks.Delete(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleAPIWebhookEndpointRotate gives the endpoint a new signing secret;
// the old one keeps signing beside it for the overlap.
func (s *Server) handleAPIWebhookEndpointRotate(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req rotateRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	c, err := s.Webhooks.Rotate(r.Context(), apiFrom(r.Context()).tenant.ID, id, req.Overlap, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rotatedJSON{Endpoint: c.Endpoint, Secret: c.Secret})
}

// handleAPIWebhookEndpointTest queues a webhook_endpoint.test event to this
// endpoint alone: 202, since it is delivered by a worker.
func (s *Server) handleAPIWebhookEndpointTest(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ev, err := s.Webhooks.SendTest(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, ev)
}

// handleAPIWebhookEndpointRecover sends again every dead letter of the
// endpoint made since the given time.
func (s *Server) handleAPIWebhookEndpointRecover(w http.ResponseWriter, r *http.Request) {
	id, err := endpointID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req recoverRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	since, err := time.Parse(time.RFC3339, req.Since)
	if err != nil {
		s.apiError(w, r, invalidField("since", "Use an RFC 3339 date-time, like 2026-11-24T10:00:00Z."))
		return
	}
	n, err := s.Webhooks.Recover(r.Context(), apiFrom(r.Context()).tenant.ID, id, since, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"recovered": n})
}
