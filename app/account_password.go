package app

import (
	"net/http"
)

type passwordForm struct {
	Current string `form:"current_password" text:"secret" validate:"required,max=1024"`
	New     string `form:"new_password" text:"secret" validate:"required"`
}

// handlePasswordChange sets a new password and signs out other sessions.
// It is throttled per IP like sign-in (routes.go): it checks a password.
func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	var in passwordForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if ok {
		pc := pageFrom(r.Context())
		err := s.Tenants.ChangePassword(r.Context(), pc.user.ID, in.Current, in.New, pc.sessionID, s.actor(r))
		if err == nil {
			s.flash(w, r, "Password changed. Your other sessions were signed out.")
			s.redirect(w, r, "/account")
			return
		}
		var shown bool
		if status, shown = s.formError(w, &f, err, "password", "new_password"); !shown {
			s.fail(w, r, err)
			return
		}
	}
	s.renderAccount(w, r, status, f)
}
