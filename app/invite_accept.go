package app

import (
	"errors"
	"net/http"
	"strings"

	"mailvet/tenants"
	"mailvet/views"
)

type newMemberForm struct {
	Name     string `form:"name" validate:"required,max=100"`
	Password string `form:"password" text:"secret" validate:"required"`
}

// inviteView works out what the person opening an invitation can do.
func (s *Server) inviteView(r *http.Request, token string) (views.InviteView, *pageCtx, error) {
	inv, err := s.Tenants.InviteByToken(r.Context(), token)
	if err != nil {
		return views.InviteView{}, nil, err
	}
	v := views.InviteView{Token: token, TenantName: inv.TenantName, Email: inv.Email, Role: string(inv.Role), PasswordRule: tenants.PasswordRule}
	pc, err := s.loadPage(r)
	if err != nil {
		return v, nil, err
	}
	switch {
	case pc != nil && strings.EqualFold(pc.user.Email, inv.Email):
		v.State = "accept"
	case pc != nil:
		v.State, v.SignedInAs = "wrong_user", pc.user.Email
	default:
		if _, err := s.Tenants.UserByEmail(r.Context(), inv.Email); err == nil {
			v.State = "sign_in"
		} else if errors.Is(err, tenants.ErrNotFound) {
			v.State = "new_user"
		} else {
			return v, nil, err
		}
	}
	return v, pc, nil
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) {
	v, _, err := s.inviteView(r, r.PathValue("token"))
	if s.inviteLinkFailed(w, r, err) {
		return
	}
	s.render(w, r, http.StatusOK, views.InvitePage(s.page(w, r, "Invitation", ""), v, views.Form{}))
}

func (s *Server) handleInviteAccept(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	v, pc, err := s.inviteView(r, token)
	if s.inviteLinkFailed(w, r, err) {
		return
	}
	var in newMemberForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	switch v.State {
	case "accept":
		tenantID, err := s.Tenants.AcceptInvite(r.Context(), token, pc.user.ID, s.actorFor(r, pc.user, pc.tenant.ID, pc.role))
		if s.inviteLinkFailed(w, r, err) {
			return
		}
		pc.session.Values[keyTenantID] = tenantID.String()
		pc.session.AddFlash("Welcome to " + v.TenantName + ".")
		if err := pc.session.Save(r, w); err != nil {
			s.fail(w, r, err)
			return
		}
		s.redirect(w, r, "/dashboard")
		return
	case "new_user":
		if !ok {
			break
		}
		user, tenantID, err := s.Tenants.AcceptInviteAsNewUser(r.Context(), token, in.Name, in.Password, s.actor(r))
		if errors.Is(err, tenants.ErrEmailTaken) {
			f.Error = "An account with this email already exists: log in first, then open the invitation again."
			break
		}
		if err == nil {
			if err := s.startSession(w, r, user.ID, tenantID, "Welcome to "+v.TenantName+"."); err != nil {
				s.fail(w, r, err)
				return
			}
			s.redirect(w, r, "/dashboard")
			return
		}
		var shown bool
		if status, shown = s.formError(w, &f, err); !shown {
			s.inviteLinkFailed(w, r, err)
			return
		}
	default:
		// sign_in / wrong_user: nothing to accept from here.
		s.render(w, r, http.StatusConflict, views.InvitePage(s.page(w, r, "Invitation", ""), v, f))
		return
	}
	s.render(w, r, status, views.InvitePage(s.page(w, r, "Invitation", ""), v, f))
}

// inviteLinkFailed answers for dead links and errors; false means go on.
func (s *Server) inviteLinkFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, tenants.ErrInvalidLink):
		s.render(w, r, http.StatusNotFound, views.MessagePage(s.page(w, r, "Invitation expired", ""), "This invitation is invalid or has expired",
			"Invitations work once and expire after a few days. Ask the person who invited you to send a new one.", "/login", "Log in"))
	default:
		s.fail(w, r, err)
	}
	return true
}
