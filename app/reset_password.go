package app

import (
	"errors"
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

func (s *Server) handleResetPasswordForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	err := s.Tenants.CheckResetLink(r.Context(), token)
	if err != nil && !errors.Is(err, tenants.ErrInvalidLink) {
		s.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusNotFound
	}
	s.render(w, r, status, views.ResetPasswordPage(s.page(w, r, "Choose a new password", ""), views.Form{}, token, tenants.PasswordRule, err != nil))
}

func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	f, err := s.parseForm(w, r, "token", "password")
	if err != nil {
		s.badForm(w, r, err)
		return
	}
	token := f.Get("token")
	user, err := s.Tenants.ResetPassword(r.Context(), token, f.Get("password"), s.actor(r))
	var pwErr *tenants.PasswordError
	switch {
	case errors.Is(err, tenants.ErrInvalidLink):
		s.render(w, r, http.StatusNotFound, views.ResetPasswordPage(s.page(w, r, "Choose a new password", ""), f, token, tenants.PasswordRule, true))
		return
	case errors.As(err, &pwErr):
		f.Errors["password"] = pwErr.Reason
		s.render(w, r, http.StatusUnprocessableEntity, views.ResetPasswordPage(s.page(w, r, "Choose a new password", ""), f, token, tenants.PasswordRule, false))
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.MessagePage(s.page(w, r, "Password changed", ""), "Your password is changed",
		"All your sessions were signed out. Log in with your new password, "+user.Email+".", "/login", "Log in"))
}
