package app

import (
	"net/http"

	"mailvet/actor"
	"mailvet/tenants"
	"mailvet/views"
)

type signUpForm struct {
	Company  string `form:"company" validate:"required,max=100"`
	Name     string `form:"name" validate:"required,max=100"`
	Email    string `form:"email" validate:"required,email,max=254"`
	Password string `form:"password" text:"secret" validate:"required"`
}

func (s *Server) handleSignUpForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.SignUpPage(s.page(w, r, "Sign up", ""), views.Form{}, tenants.PasswordRule))
}

func (s *Server) handleSignUp(w http.ResponseWriter, r *http.Request) {
	var in signUpForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if ok {
		user, tenant, err := s.Tenants.SignUp(r.Context(), tenants.SignUpInput(in), s.actor(r))
		if err == nil {
			if err := s.startSession(w, r, user.ID, tenant.ID, "Welcome to mailvet! We sent a verification link to "+user.Email+"."); err != nil {
				s.fail(w, r, err)
				return
			}
			_ = s.Tenants.RecordSignIn(r.Context(), tenant.ID, s.actorFor(r, user, tenant.ID, actor.RoleOwner))
			s.redirect(w, r, "/dashboard")
			return
		}
		var shown bool
		if status, shown = s.formError(w, &f, err); !shown {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, views.SignUpPage(s.page(w, r, "Sign up", ""), f, tenants.PasswordRule))
}
