package app

import (
	"errors"
	"net/http"

	"mailvet/billing"
)

type checkoutForm struct {
	Plan string `form:"plan" validate:"max=100"`
}

// handleBillingCheckout starts a Stripe Checkout Session for the chosen
// plan and sends the browser to it. A workspace that already subscribes
// goes to the billing portal instead: a second checkout would bill twice.
func (s *Server) handleBillingCheckout(w http.ResponseWriter, r *http.Request) {
	var in checkoutForm
	if _, _, err := s.decodeForm(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	pc := pageFrom(r.Context())
	url, err := s.Stripe.Checkout(r.Context(), pc.tenant.ID, in.Plan, pc.user.Email, s.BaseURL.String(), s.actor(r))
	if errors.Is(err, billing.ErrHasSubscription) {
		url, err = s.Stripe.Portal(r.Context(), pc.tenant.ID, s.BaseURL.JoinPath("billing").String(), s.actor(r))
	}
	if err != nil {
		s.billingActionFailed(w, r, err)
		return
	}
	s.redirect(w, r, url)
}
