package app

import "net/http"

// handleLogout ends this browser's session.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess, err := s.sessions.Get(r, sessionCookie)
	if err == nil && !sess.IsNew {
		sess.Options.MaxAge = -1
		if err := s.sessions.Save(r, w, sess); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	next := "/login"
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if r.ParseForm() == nil && r.PostForm.Get("next") != "" {
		next = safeNext(r.PostForm.Get("next"))
	}
	s.redirect(w, r, next)
}
