package app

import (
	"net/http"

	"mailvet/actor"
	"mailvet/views"
)

func (s *Server) handleTeam(w http.ResponseWriter, r *http.Request) {
	s.renderTeam(w, r, http.StatusOK, views.Form{})
}

// renderTeam shows the team page, with f holding the invite form's state.
func (s *Server) renderTeam(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	pc := pageFrom(r.Context())
	members, err := s.Tenants.ListMembers(r.Context(), pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	invites, err := s.Tenants.ListInvites(r.Context(), pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := views.Team{CanManage: pc.role.CanManage(), IsOwner: pc.role == actor.RoleOwner}
	for _, m := range members {
		t.Members = append(t.Members, views.MemberRow{
			UserID: m.UserID.String(), Name: m.Name, Email: m.Email, Role: string(m.Role),
			Verified: m.Verified != nil, Joined: formatTime(m.JoinedAt), IsSelf: m.UserID == pc.user.ID,
		})
	}
	for _, inv := range invites {
		t.Invites = append(t.Invites, views.InviteRow{ID: inv.ID.String(), Email: inv.Email, Role: string(inv.Role), Expires: formatTime(inv.ExpiresAt)})
	}
	s.render(w, r, status, views.TeamPage(s.page(w, r, "Team", "team"), t, f))
}
