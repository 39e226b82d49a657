package app

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"mailvet/rules"
	"mailvet/verify"
)

// ruleJSON is a rule in the API.
type ruleJSON struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Pattern   string    `json:"pattern"`
	Action    string    `json:"action"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

func ruleOut(r rules.Rule) ruleJSON {
	return ruleJSON{ID: r.ID.String(), Kind: string(r.Kind), Pattern: r.Pattern, Action: string(r.Action), Note: r.Note, CreatedAt: r.CreatedAt}
}

// handleAPIRules lists the tenant's rules in order of creation.
func (s *Server) handleAPIRules(w http.ResponseWriter, r *http.Request) {
	list, err := s.Rules.List(r.Context(), apiFrom(r.Context()).tenant.ID, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]ruleJSON, 0, len(list))
	for _, rule := range list {
		out = append(out, ruleOut(rule))
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": out})
}

// handleAPIRuleCreate adds a rule: 201 with the rule, 422 invalid_request
// naming the field, 409 rule_exists or rule_limit_reached.
func (s *Server) handleAPIRuleCreate(w http.ResponseWriter, r *http.Request) {
	var req ruleForm
	if !s.decodeJSON(w, r, &req) {
		return
	}
	rule, err := s.Rules.Create(r.Context(), apiFrom(r.Context()).tenant.ID, req.newRule(), s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, ruleOut(rule))
}

// handleAPIRuleDelete deletes a rule: 204, or 404 for an unknown id and for
// another tenant's rule.
func (s *Server) handleAPIRuleDelete(w http.ResponseWriter, r *http.Request) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, rules.ErrNotFound)
		return
	}
	if _, err := s.Rules.Delete(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type ruleTestRequest struct {
	Email string `json:"email" validate:"required,max=1024"`
}

type ruleTestResponse struct {
	Email      string    `json:"email"`
	Normalized string    `json:"normalized"`
	Matched    bool      `json:"matched"`
	Rule       *ruleJSON `json:"rule"`
	Status     *string   `json:"status"`
	Reason     *string   `json:"reason"`
	Detail     string    `json:"detail"`
}

// handleAPIRuleTest says which rule would decide an address, without
// verifying it: nothing is spent or recorded. With no matching rule status
// and reason are null (the address would be verified normally); an address
// that does not parse is undeliverable/invalid_syntax.
func (s *Server) handleAPIRuleTest(w http.ResponseWriter, r *http.Request) {
	var req ruleTestRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	t, err := s.testRules(r.Context(), apiFrom(r.Context()).tenant.ID, req.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res := ruleTestResponse{Email: t.email, Normalized: t.normalized, Matched: t.matched,
		Detail: "No rule matches: the address would be verified normally."}
	switch {
	case t.problem != "":
		res.Status, res.Reason = optString(string(verify.Undeliverable)), optString(string(verify.ReasonInvalidSyntax))
		res.Detail = "Not a valid address, so no rule applies: " + t.problem + "."
	case t.matched:
		m := t.match
		rule := ruleOut(m.Rule)
		res.Rule = &rule
		res.Status, res.Reason, res.Detail = optString(string(m.Status())), optString(string(m.Reason())), m.Detail()
	}
	writeJSON(w, http.StatusOK, res)
}

func optString(s string) *string { return &s }
