package app

import (
	"net/http"

	"github.com/google/uuid"

	"mailvet/actor"
)

type inviteForm struct {
	Email string `form:"email" validate:"required,email,max=254"`
	// Role may be empty: a re-sent invitation keeps its role, a new one
	// is member.
	Role string `form:"role" validate:"omitempty,oneof=admin member"`
}

func (s *Server) handleInviteCreate(w http.ResponseWriter, r *http.Request) {
	var in inviteForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderTeam(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	pc := pageFrom(r.Context())
	inv, err := s.Tenants.CreateInvite(r.Context(), pc.tenant.ID, in.Email, actor.Role(in.Role), s.actor(r))
	if err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderTeam(w, r, status, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	if inv.Resent {
		s.flash(w, r, "Invitation re-sent to "+inv.Email+" as "+string(inv.Role)+"; the earlier link no longer works.")
	} else {
		s.flash(w, r, "Invitation sent to "+inv.Email+" as "+string(inv.Role)+".")
	}
	s.redirect(w, r, "/team")
}

func (s *Server) handleInviteRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Tenants.RevokeInvite(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Invitation revoked.")
	s.redirect(w, r, "/team")
}

// pathID reads the {id} path value; a malformed one is simply not found.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.fail(w, r, errNotFound)
		return uuid.Nil, false
	}
	return id, true
}
