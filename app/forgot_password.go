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
	var in forgotForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.render(w, r, http.StatusUnprocessableEntity, views.ForgotPasswordPage(s.page(w, r, "Forgot password", ""), f, false))
		return
	}
	if err := s.Tenants.RequestPasswordReset(r.Context(), in.Email); err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.render(w, r, status, views.ForgotPasswordPage(s.page(w, r, "Forgot password", ""), f, false))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ForgotPasswordPage(s.page(w, r, "Forgot password", ""), f, true))
}
