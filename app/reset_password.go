package app

import (
	"errors"
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

type resetForm struct {
	Token    string `form:"token" validate:"max=200"`
	Password string `form:"password" text:"secret"`
}

func (s *Server) handleResetPasswordForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	err := s.Tenants.CheckResetLink(r.Context(), token)
	if err != nil && !errors.Is(err, tenants.ErrInvalidLink) {
		s.fail(w, r, err)
		return
	}
	status := http.StatusOK
	if err != nil {
		status = http.StatusNotFound
	}
	s.render(w, r, status, views.ResetPasswordPage(s.page(w, r, "Choose a new password", ""), views.Form{}, token, tenants.PasswordRule, err != nil))
}

func (s *Server) handleResetPassword(w http.ResponseWriter, r *http.Request) {
	var in resetForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := func(status int, dead bool) {
		s.render(w, r, status, views.ResetPasswordPage(s.page(w, r, "Choose a new password", ""), f, in.Token, tenants.PasswordRule, dead))
	}
	if f.Has("token") {
		page(http.StatusNotFound, true) // no link makes such a token
		return
	}
	if !ok {
		page(http.StatusUnprocessableEntity, false)
		return
	}
	user, err := s.Tenants.ResetPassword(r.Context(), in.Token, in.Password, s.actor(r))
	if errors.Is(err, tenants.ErrInvalidLink) {
		page(http.StatusNotFound, true)
		return
	}
	if err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			page(status, false)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.MessagePage(s.page(w, r, "Password changed", ""), "Your password is changed",
		"All your sessions were signed out. Log in with your new password, "+user.Email+".", "/login", "Log in"))
}
