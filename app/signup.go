package app

import (
	"errors"
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

type signUpForm struct {
	Company  string `form:"company" validate:"required,max=100"`
	Name     string `form:"name" validate:"required,max=100"`
	Email    string `form:"email" validate:"required,email,max=254"`
	Password string `form:"password" validate:"required"`
}

func (s *Server) handleSignUpForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.SignUpPage(s.page(w, r, "Sign up", ""), views.Form{}, tenants.PasswordRule))
}

func (s *Server) handleSignUp(w http.ResponseWriter, r *http.Request) {
	f, err := s.parseForm(w, r, "company", "name", "email", "password")
	if err != nil {
		s.badForm(w, r, err)
		return
	}
	in := signUpForm{Company: f.Get("company"), Name: f.Get("name"), Email: f.Get("email"), Password: f.Get("password")}
	if s.check(&f, in) {
		user, tenant, err := s.Tenants.SignUp(r.Context(), tenants.SignUpInput(in), s.actor(r))
		var pwErr *tenants.PasswordError
		switch {
		case errors.Is(err, tenants.ErrEmailTaken):
			f.Errors["email"] = "An account with this email already exists. Log in, or reset your password."
		case errors.As(err, &pwErr):
			f.Errors["password"] = pwErr.Reason + " " + tenants.PasswordRule
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			if err := s.startSession(w, r, user.ID, tenant.ID, "Welcome to mailvet! We sent a verification link to "+user.Email+"."); err != nil {
				s.serverError(w, r, err)
				return
			}
			_ = s.Tenants.RecordSignIn(r.Context(), tenant.ID, s.actorFor(r, user))
			s.redirect(w, r, "/dashboard")
			return
		}
	}
	f.Values["password"] = ""
	s.render(w, r, http.StatusUnprocessableEntity, views.SignUpPage(s.page(w, r, "Sign up", ""), f, tenants.PasswordRule))
}
