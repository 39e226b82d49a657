package app

import (
	"errors"
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

// handleVerifyEmail consumes the link mailed at sign-up.
func (s *Server) handleVerifyEmail(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	_, err := s.Tenants.VerifyEmail(r.Context(), token)
	switch {
	case errors.Is(err, tenants.ErrInvalidLink):
		s.render(w, r, http.StatusNotFound, views.MessagePage(s.page(w, r, "Link expired", ""), "This link is invalid or has expired",
			"Verification links work once and expire after two days. Log in and use “Resend link” to get a new one.", "/login", "Log in"))
	case err != nil:
		s.fail(w, r, err)
	default:
		s.render(w, r, http.StatusOK, views.MessagePage(s.page(w, r, "Email verified", ""), "Your email address is verified",
			"Thank you. You can now create API keys.", "/dashboard", "Go to your dashboard"))
	}
}

// handleResendVerification mails a new link to the signed-in user.
func (s *Server) handleResendVerification(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	if err := s.Tenants.ResendVerification(r.Context(), pc.user.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "We sent a new verification link to "+pc.user.Email+".")
	s.redirect(w, r, "/dashboard")
}
