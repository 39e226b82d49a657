package app

import (
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	ctx := r.Context()
	keys, err := s.Tenants.ListAPIKeys(ctx, pc.tenant.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	members, err := s.Tenants.ListMembers(ctx, pc.tenant.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	invites, err := s.Tenants.ListInvites(ctx, pc.tenant.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := views.Dashboard{Members: len(members), PendingInvs: len(invites), Verified: pc.user.Verified(), CanManage: pc.role.CanManage()}
	for _, k := range keys {
		if k.RevokedAt != nil {
			continue
		}
		if k.Mode == tenants.ModeLive {
			d.LiveKeys++
		} else {
			d.TestKeys++
		}
	}
	s.render(w, r, http.StatusOK, views.DashboardPage(s.page(w, r, "Dashboard", "dashboard"), d))
}
