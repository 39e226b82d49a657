package app

import (
	"net/http"
)

// handleRuleDelete deletes one of the tenant's rules.
func (s *Server) handleRuleDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	rule, err := s.Rules.Delete(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Rule deleted: "+string(rule.Action)+" "+string(rule.Kind)+" "+rule.Pattern+".")
	s.redirect(w, r, "/rules")
}
