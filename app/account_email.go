package app

import (
	"errors"
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

type emailForm struct {
	Email    string `form:"new_email" validate:"required,email,max=254"`
	Password string `form:"email_password" text:"secret" validate:"required,max=1024"`
}

// handleEmailChange mails a confirmation link to the new address; the
// address changes when it is opened. It checks a password, so it shares
// sign-in's per-IP budget (routes.go).
func (s *Server) handleEmailChange(w http.ResponseWriter, r *http.Request) {
	var in emailForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if ok {
		pc := pageFrom(r.Context())
		err := s.Tenants.RequestEmailChange(r.Context(), pc.user.ID, in.Password, in.Email, s.actor(r))
		if err == nil {
			s.flash(w, r, "We sent a confirmation link to "+tenants.NormalizeEmail(in.Email)+". Your address changes when you open it; until then, sign in with "+pc.user.Email+".")
			s.redirect(w, r, "/account")
			return
		}
		var shown bool
		if status, shown = s.formError(w, &f, err, "current_password", "email_password", "email", "new_email"); !shown {
			s.fail(w, r, err)
			return
		}
	}
	s.renderAccount(w, r, status, f)
}

// handleEmailConfirm consumes the link mailed to the new address.
func (s *Server) handleEmailConfirm(w http.ResponseWriter, r *http.Request) {
	u, err := s.Tenants.ConfirmEmailChange(r.Context(), r.URL.Query().Get("token"))
	var inputErr *tenants.InputError
	switch {
	case errors.Is(err, tenants.ErrInvalidLink):
		s.render(w, r, http.StatusNotFound, views.MessagePage(s.page(w, r, "Link expired", ""), "This link is invalid or has expired",
			"Email-change links work once and expire after two days. Ask for a new one on your account page.", "/account", "Go to your account"))
	case errors.As(err, &inputErr):
		s.render(w, r, http.StatusConflict, views.MessagePage(s.page(w, r, "Email not changed", ""), "Your email was not changed",
			inputErr.Reason, "/account", "Go to your account"))
	case err != nil:
		s.fail(w, r, err)
	default:
		s.render(w, r, http.StatusOK, views.MessagePage(s.page(w, r, "Email changed", ""), "Your email address is now "+u.Email,
			"Sign in with it from now on.", "/account", "Go to your account"))
	}
}
