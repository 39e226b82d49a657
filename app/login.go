package app

import (
	"net/http"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/tenants"
	"mailvet/views"
)

type loginForm struct {
	Email    string `form:"email" validate:"required,max=254"`
	Password string `form:"password" text:"secret" validate:"required,max=1024"`
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
	var in loginForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// next is not checked with the fields: it is cleaned, never refused.
	next := safeNext(r.PostForm.Get("next"))
	f.Values["next"] = next
	status := http.StatusUnprocessableEntity
	if ok {
		user, err := s.Tenants.Authenticate(r.Context(), in.Email, in.Password, s.actor(r))
		if err == nil {
			if err := s.signIn(w, r, user); err != nil {
				s.fail(w, r, err)
				return
			}
			s.redirect(w, r, next)
			return
		}
		var shown bool
		if status, shown = s.formError(w, &f, err); !shown {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, views.LoginPage(s.page(w, r, "Log in", ""), f))
}

// signIn starts a session for user in their first tenant.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, user tenants.User) error {
	trs, err := s.Tenants.TenantsForUser(r.Context(), user.ID)
	if err != nil {
		return err
	}
	tenantID := uuid.Nil
	if len(trs) > 0 {
		tenantID = trs[0].Tenant.ID
	}
	if err := s.startSession(w, r, user.ID, tenantID, ""); err != nil {
		return err
	}
	role := actor.RoleMember
	if len(trs) > 0 {
		role = trs[0].Role
	}
	_ = s.Tenants.RecordSignIn(r.Context(), tenantID, s.actorFor(r, user, tenantID, role))
	return nil
}

// actorFor is the actor for a user who is not yet in the session, with
// their role in the tenant they act in.
func (s *Server) actorFor(r *http.Request, u tenants.User, tenantID uuid.UUID, role actor.Role) actor.Actor {
	info := infoFrom(r.Context())
	return actor.User(u.ID, u.Email, role).In(tenantID).From(info.IP, r.UserAgent()).ForRequest(info.ID)
}
