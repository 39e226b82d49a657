package app

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"mailvet/rules"
	"mailvet/verify/address"
	"mailvet/views"
)

func (s *Server) handleRules(w http.ResponseWriter, r *http.Request) {
	s.renderRules(w, r, http.StatusOK, views.Form{}, views.Form{}, nil)
}

// renderRules shows the rules page with the add form (f) and the tester
// (tf, res) in the given state.
func (s *Server) renderRules(w http.ResponseWriter, r *http.Request, status int, f, tf views.Form, res *views.RuleTestResult) {
	pc := pageFrom(r.Context())
	list, err := s.Rules.List(r.Context(), pc.tenant.ID, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.Rules{Count: len(list), Max: rules.MaxRulesPerTenant, CanManage: pc.role.CanManage(), Form: f, TestForm: tf, Test: res}
	for _, rule := range list {
		row := ruleRow(rule)
		if rule.Action == rules.Block {
			v.Block = append(v.Block, row)
		} else {
			v.Allow = append(v.Allow, row)
		}
	}
	s.render(w, r, status, views.RulesPage(s.page(w, r, "Rules", "rules"), v))
}

func ruleRow(r rules.Rule) views.RuleRow {
	return views.RuleRow{
		ID: r.ID.String(), Kind: string(r.Kind), Pattern: r.Pattern, Action: string(r.Action),
		Note: r.Note, Created: formatTime(r.CreatedAt),
	}
}

// ruleTest is what the tenant's rules say about one address, found
// without verifying it: nothing is spent, cached or recorded.
type ruleTest struct {
	email      string
	normalized string
	problem    string // the address does not parse
	match      rules.Match
	matched    bool
}

func (s *Server) testRules(ctx context.Context, tenantID uuid.UUID, email string) (ruleTest, error) {
	t := ruleTest{email: email}
	a, prob := address.Parse(email)
	if prob != nil {
		t.problem = prob.Message
		return t, nil
	}
	t.normalized = a.Normalized
	rs, err := s.Rules.RuleSet(ctx, tenantID)
	if err != nil {
		return t, err
	}
	t.match, t.matched = rs.Match(a.Normalized)
	return t, nil
}
