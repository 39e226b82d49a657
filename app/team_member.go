package app

import (
	"net/http"

	"mailvet/actor"
)

type roleForm struct {
	Role string `form:"role" validate:"required,oneof=owner admin member"`
}

func (s *Server) handleMemberRole(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in roleForm
	_, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Unknown role", "Choose owner, admin or member.")
		return
	}
	if err := s.Tenants.ChangeRole(r.Context(), pageFrom(r.Context()).tenant.ID, id, actor.Role(in.Role), s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Role changed.")
	s.redirect(w, r, "/team")
}

func (s *Server) handleMemberRemove(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	pc := pageFrom(r.Context())
	if err := s.Tenants.RemoveMember(r.Context(), pc.tenant.ID, id, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Member removed.")
	s.redirect(w, r, "/team")
}
