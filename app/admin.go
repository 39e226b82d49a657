package app

import (
	"context"
	"net/http"

	"mailvet/actor"
)

// requirePlatformAdmin lets platform admins through to the console and
// answers everyone else, signed in or not, with the ordinary 404 page:
// the console's existence is not revealed. A platform admin reaches it
// whatever the state of their own team (none, or suspended).
func (s *Server) requirePlatformAdmin(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pc, err := s.loadPage(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if pc == nil || !pc.user.PlatformAdmin {
			s.handlePageNotFound(w, r)
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), pageCtxKey, pc)))
	})
}

// platformActor is the platform admin acting from the console.
func (s *Server) platformActor(r *http.Request) actor.Actor {
	pc := pageFrom(r.Context())
	return actor.PlatformAdmin(pc.user.ID, pc.user.Email).From(infoFrom(r.Context()).IP, r.UserAgent())
}

// riverCSP is the Content-Security-Policy of the embedded River UI: a
// React application of River's that sets inline styles, which the rest of
// the site refuses. Scripts still come from this origin alone.
const riverCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"

// handleRiverUI serves River's own UI (queues, running and failed jobs)
// under /admin/river/, behind the console's guard.
func (s *Server) handleRiverUI(w http.ResponseWriter, r *http.Request) {
	if s.RiverUI == nil {
		s.handlePageNotFound(w, r)
		return
	}
	w.Header().Set("Content-Security-Policy", riverCSP)
	s.RiverUI.ServeHTTP(w, r)
}
