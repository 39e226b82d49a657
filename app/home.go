package app

import "net/http"

// handleHome sends signed-in people to their dashboard, others to log in.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	pc, err := s.loadPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pc != nil {
		s.redirect(w, r, "/dashboard")
		return
	}
	s.redirect(w, r, "/login")
}
