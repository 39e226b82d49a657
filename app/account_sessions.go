package app

import "net/http"

// handleSessionRevoke signs one of the user's browsers out.
func (s *Server) handleSessionRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	pc := pageFrom(r.Context())
	if err := s.Tenants.RevokeSession(r.Context(), pc.user.ID, id, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	if id == pc.sessionID {
		s.redirect(w, r, "/login")
		return
	}
	s.flash(w, r, "Session signed out.")
	s.redirect(w, r, "/account")
}

// handleSessionRevokeAll signs the user out everywhere, this browser too.
func (s *Server) handleSessionRevokeAll(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	if err := s.Tenants.RevokeAllSessions(r.Context(), pc.user.ID, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	pc.session.Options.MaxAge = -1
	_ = s.sessions.Save(r, w, pc.session)
	s.redirect(w, r, "/login")
}
