package app

import (
	"errors"
	"net/http"

	"mailvet/billing"
)

// stripeWebhookMaxBytes bounds a webhook body; Stripe events are far
// smaller.
const stripeWebhookMaxBytes = 1 << 20

// handleStripeWebhook receives Stripe's events. It needs no session and
// no CSRF token: the Stripe-Signature header, checked against
// STRIPE_WEBHOOK_SECRET, is the authentication. Any answer but 2xx makes
// Stripe deliver again later, which is what a failure here should do.
func (s *Server) handleStripeWebhook(w http.ResponseWriter, r *http.Request) {
	if !s.Stripe.Enabled() {
		s.apiError(w, r, billing.ErrBillingOff)
		return
	}
	payload, err := readWholeBody(w, r, stripeWebhookMaxBytes)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	res, err := s.Stripe.HandleWebhook(r.Context(), payload, r.Header.Get("Stripe-Signature"))
	switch {
	case errors.Is(err, billing.ErrBadSignature):
		s.Log.Warn("stripe webhook refused", "request_id", infoFrom(r.Context()).ID, "err", err)
	case errors.Is(err, billing.ErrBadEvent):
		s.Log.Error("stripe webhook unreadable", "request_id", infoFrom(r.Context()).ID, "event", res.EventID, "type", res.Type, "err", err)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.Log.Info("stripe webhook", "request_id", infoFrom(r.Context()).ID, "event", res.EventID, "type", res.Type,
		"duplicate", res.Duplicate, "note", res.Note)
	writeJSON(w, http.StatusOK, map[string]any{"received": true, "duplicate": res.Duplicate})
}
