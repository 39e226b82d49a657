package app

import (
	"net/http"

	"github.com/mileusna/useragent"
)

// browserLabel names the browser behind a User-Agent header the way a person
// would ("Chrome on macOS"); agents the parser can't place, curl and scripts
// among them, are "Unknown browser". The raw header is shown on hover.
func browserLabel(header string) string {
	ua := useragent.Parse(header)
	if ua.IsUnknown() || ua.Name == "" {
		return "Unknown browser"
	}
	if ua.OS == "" {
		return ua.Name
	}
	return ua.Name + " on " + ua.OS
}

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
