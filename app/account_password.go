package app

import (
	"errors"
	"net/http"

	"mailvet/tenants"
)

type passwordForm struct {
	Current string `form:"current_password" validate:"required,max=1024"`
	New     string `form:"new_password" validate:"required"`
}

// handlePasswordChange sets a new password and signs out other sessions.
func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	f, err := s.parseForm(w, r, "current_password", "new_password")
	if err != nil {
		s.badForm(w, r, err)
		return
	}
	if s.check(&f, passwordForm{Current: f.Get("current_password"), New: f.Get("new_password")}) {
		pc := pageFrom(r.Context())
		err := s.Tenants.ChangePassword(r.Context(), pc.user.ID, f.Get("current_password"), f.Get("new_password"), pc.sessionID, s.actor(r))
		var pwErr *tenants.PasswordError
		switch {
		case errors.Is(err, tenants.ErrCurrentPassword):
			f.Errors["current_password"] = "This is not your current password."
		case errors.As(err, &pwErr):
			f.Errors["new_password"] = pwErr.Reason
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			s.flash(w, r, "Password changed. Your other sessions were signed out.")
			s.redirect(w, r, "/account")
			return
		}
	}
	f.Values["current_password"], f.Values["new_password"] = "", ""
	s.renderAccount(w, r, http.StatusUnprocessableEntity, f)
}
