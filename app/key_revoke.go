package app

import (
	"net/http"

	"mailvet/views"
)

// handleKeyRevoke revokes a key; HTMX swaps the key's row in place.
func (s *Server) handleKeyRevoke(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	key, err := s.Tenants.RevokeAPIKey(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.KeyRowPartial(keyRow(key, pageFrom(r.Context()).tenant.Settings.KeyPolicy), true))
		return
	}
	s.flash(w, r, "Key “"+key.Name+"” revoked.")
	s.redirect(w, r, "/keys")
}
