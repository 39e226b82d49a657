package app

import (
	"errors"
	"net/http"

	"github.com/google/uuid"

	"mailvet/audit"
	"mailvet/tenants"
	"mailvet/views"
)

type loginForm struct {
	Email    string `form:"email" validate:"required,max=254"`
	Password string `form:"password" validate:"required,max=1024"`
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if pc, _ := s.loadPage(r); pc != nil {
		s.redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	f := views.Form{Values: map[string]string{"next": safeNext(r.URL.Query().Get("next"))}}
	s.render(w, r, http.StatusOK, views.LoginPage(s.page(w, r, "Log in", ""), f))
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	f, err := s.parseForm(w, r, "email", "password", "next")
	if err != nil {
		s.badForm(w, r, err)
		return
	}
	f.Values["next"] = safeNext(f.Get("next"))
	in := loginForm{Email: f.Get("email"), Password: f.Get("password")}
	if s.check(&f, in) {
		user, err := s.Tenants.Authenticate(r.Context(), in.Email, in.Password, s.actor(r))
		switch {
		case errors.Is(err, tenants.ErrInvalidCredentials):
			f.Error = "Email or password is incorrect."
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			trs, err := s.Tenants.TenantsForUser(r.Context(), user.ID)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			tenantID := uuid.Nil
			if len(trs) > 0 {
				tenantID = trs[0].Tenant.ID
			}
			if err := s.startSession(w, r, user.ID, tenantID, ""); err != nil {
				s.serverError(w, r, err)
				return
			}
			_ = s.Tenants.RecordSignIn(r.Context(), tenantID, s.actorFor(r, user))
			s.redirect(w, r, f.Get("next"))
			return
		}
	}
	f.Values["password"] = ""
	s.render(w, r, http.StatusUnprocessableEntity, views.LoginPage(s.page(w, r, "Log in", ""), f))
}

// actorFor is the audit actor for a user who is not yet in the session.
func (s *Server) actorFor(r *http.Request, u tenants.User) audit.Actor {
	a := s.actor(r)
	a.UserID, a.Email = u.ID, u.Email
	return a
}
