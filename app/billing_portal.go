package app

import "net/http"

// handleBillingPortal opens Stripe's Customer Portal, where owners and
// admins change plan, payment method and billing details, or cancel.
func (s *Server) handleBillingPortal(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	url, err := s.Stripe.Portal(r.Context(), pc.tenant.ID, s.BaseURL.JoinPath("billing").String(), s.actor(r))
	if err != nil {
		s.billingActionFailed(w, r, err)
		return
	}
	s.redirect(w, r, url)
}
