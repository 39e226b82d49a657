package app

import (
	"net/http"

	"mailvet/views"
)

type ruleTestForm struct {
	Email string `form:"email" validate:"required,max=1024"`
}

// handleRuleTest shows which rule fires for an address. With HTMX it
// answers with the tester box; without, the whole page.
func (s *Server) handleRuleTest(w http.ResponseWriter, r *http.Request) {
	var in ruleTestForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var shown *views.RuleTestResult
	if ok {
		t, err := s.testRules(r.Context(), pageFrom(r.Context()).tenant.ID, in.Email)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		shown = &views.RuleTestResult{Email: t.email, Normalized: t.normalized, Problem: t.problem, Matched: t.matched}
		if t.matched {
			shown.Rule = ruleRow(t.match.Rule)
			shown.Status, shown.Reason, shown.Detail = string(t.match.Status()), string(t.match.Reason()), t.match.Detail()
		}
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.RuleTestBox(f, shown))
		return
	}
	s.renderRules(w, r, http.StatusOK, views.Form{}, f, shown)
}
