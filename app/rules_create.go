package app

import (
	"fmt"
	"net/http"

	"mailvet/rules"
	"mailvet/views"
)

type ruleForm struct {
	Kind    string `form:"kind" json:"kind" validate:"required,oneof=address domain wildcard regex"`
	Pattern string `form:"pattern" json:"pattern" validate:"required,max=300"`
	Action  string `form:"action" json:"action" validate:"required,oneof=allow block"`
	Note    string `form:"note" json:"note" validate:"max=200"`
}

func (f ruleForm) newRule() rules.NewRule {
	return rules.NewRule{Kind: rules.Kind(f.Kind), Pattern: f.Pattern, Action: rules.Action(f.Action), Note: f.Note}
}

// handleRuleCreate adds a rule; errors are shown next to their field.
func (s *Server) handleRuleCreate(w http.ResponseWriter, r *http.Request) {
	var in ruleForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderRules(w, r, http.StatusUnprocessableEntity, f, views.Form{}, nil)
		return
	}
	rule, err := s.Rules.Create(r.Context(), pageFrom(r.Context()).tenant.ID, in.newRule(), s.actor(r))
	if err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderRules(w, r, status, f, views.Form{}, nil)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, fmt.Sprintf("Rule added: %s %s %s.", rule.Action, rule.Kind, rule.Pattern))
	s.redirect(w, r, "/rules")
}
