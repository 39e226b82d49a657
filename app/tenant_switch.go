package app

import (
	"net/http"

	"github.com/google/uuid"
)

type switchForm struct {
	TenantID string `form:"tenant_id" validate:"required,uuid"`
}

// handleTenantSwitch changes the tenant the session works in, to one the
// user belongs to.
func (s *Server) handleTenantSwitch(w http.ResponseWriter, r *http.Request) {
	var in switchForm
	if _, _, err := s.decodeForm(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	pc := pageFrom(r.Context())
	id, _ := uuid.Parse(in.TenantID)
	for _, tr := range pc.tenants {
		if tr.Tenant.ID == id {
			pc.session.Values[keyTenantID] = id.String()
			pc.session.AddFlash("Switched to " + tr.Tenant.Name + ".")
			if err := pc.session.Save(r, w); err != nil {
				s.fail(w, r, err)
				return
			}
			s.redirect(w, r, "/dashboard")
			return
		}
	}
	s.renderError(w, r, http.StatusNotFound, "Not found", "You are not a member of that team.")
}
