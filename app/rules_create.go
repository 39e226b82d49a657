package app

import (
	"errors"
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
	if !s.requireManager(w, r) {
		return
	}
	f, err := s.parseForm(w, r, "kind", "pattern", "action", "note")
	if err != nil {
		s.badForm(w, r, err)
		return
	}
	in := ruleForm{Kind: f.Get("kind"), Pattern: f.Get("pattern"), Action: f.Get("action"), Note: f.Get("note")}
	if !s.check(&f, in) {
		s.renderRules(w, r, http.StatusUnprocessableEntity, f, views.Form{}, nil)
		return
	}
	rule, err := s.Rules.Create(r.Context(), pageFrom(r.Context()).tenant.ID, in.newRule(), s.actor(r))
	var fe *rules.FieldError
	switch {
	case errors.As(err, &fe):
		f.Errors[fe.Field] = fe.Message
	case errors.Is(err, rules.ErrDuplicate):
		f.Errors["pattern"] = "There is already a rule for this pattern. Delete it first to change its action."
	case errors.Is(err, rules.ErrTooMany):
		f.Error = fmt.Sprintf("You have reached the limit of %d rules. Delete some before adding more.", rules.MaxRulesPerTenant)
	case err != nil:
		s.ruleError(w, r, err)
		return
	default:
		s.flash(w, r, fmt.Sprintf("Rule added: %s %s %s.", rule.Action, rule.Kind, rule.Pattern))
		s.redirect(w, r, "/rules")
		return
	}
	s.renderRules(w, r, http.StatusUnprocessableEntity, f, views.Form{}, nil)
}
