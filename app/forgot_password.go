package app

import (
	"net/http"

	"mailvet/views"
)

type forgotForm struct {
	Email string `form:"email" validate:"required,email,max=254"`
}

func (s *Server) handleForgotPasswordForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.ForgotPasswordPage(s.page(w, r, "Forgot password", ""), views.Form{}, false))
}

// handleForgotPassword mails a reset link; the answer is the same whether
// or not the address has an account.
func (s *Server) handleForgotPassword(w http.ResponseWriter, r *http.Request) {
	f, err := s.parseForm(w, r, "email")
	if err != nil {
		s.badForm(w, r, err)
		return
	}
	if !s.check(&f, forgotForm{Email: f.Get("email")}) {
		s.render(w, r, http.StatusUnprocessableEntity, views.ForgotPasswordPage(s.page(w, r, "Forgot password", ""), f, false))
		return
	}
	if err := s.Tenants.RequestPasswordReset(r.Context(), f.Get("email")); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ForgotPasswordPage(s.page(w, r, "Forgot password", ""), f, true))
}
