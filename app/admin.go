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
	info := infoFrom(r.Context())
	return actor.PlatformAdmin(pc.user.ID, pc.user.Email).From(info.IP, r.UserAgent()).ForRequest(info.ID)
}
