package app

import (
	"net/http"

	"github.com/google/uuid"

	"mailvet/inbound"
)

// handleInboundPush takes a CRM's signed push of addresses to verify:
// POST /v1/inbound/{endpoint_id}, signed the Standard Webhooks way with
// the endpoint's inbound secret (no API key: the signature is the
// credential). The inbound service checks and verifies; this reads the
// body whole (the signature covers its bytes) and writes the answer.
func (s *Server) handleInboundPush(w http.ResponseWriter, r *http.Request) {
	// A malformed id names no endpoint: the same 401 as an unknown one, so
	// the answer tells a sender without the secret nothing.
	if s.Inbound == nil {
		s.apiError(w, r, errNotFound)
		return
	}
	id, _ := uuid.Parse(r.PathValue("endpoint_id"))
	body, err := readWholeBody(w, r, inbound.MaxBodyBytes)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ans, err := s.Inbound.Handle(r.Context(), inbound.Push{EndpointID: id, Header: r.Header, Body: body})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ans.ContentType())
	w.Header().Set("Cache-Control", "no-store")
	if ans.Replayed {
		// Stripe's name for "this is the first request's answer again".
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.WriteHeader(ans.Status)
	_, _ = w.Write(ans.Body)
}
