package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// ruleID returns the id of a tenant's rule with the given pattern.
func ruleID(t *testing.T, h *harness, pattern string) string {
	t.Helper()
	var id string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM rules WHERE pattern = $1", pattern).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func addRule(kind, pattern, action, note string) url.Values {
	return url.Values{"kind": {kind}, "pattern": {pattern}, "action": {action}, "note": {note}}
}

func TestRulesPage(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expect(t, owner.get("/dashboard"), http.StatusOK, `href="/rules"`)
	expect(t, owner.get("/rules"), http.StatusOK, "Which rule wins", "Block list", "Allow list", "No rules.", "0 of 1000 rules used")

	// Errors are shown next to their field.
	expect(t, owner.post("/rules", addRule("regex", "(", "block", "")), http.StatusUnprocessableEntity,
		`id="pattern-error"`, "Not a valid regular expression", "missing closing )")
	expect(t, owner.post("/rules", addRule("wildcard", "acme.com", "block", "")), http.StatusUnprocessableEntity, "A wildcard is *. followed by a domain")
	expect(t, owner.post("/rules", addRule("address", "not an address", "block", "")), http.StatusUnprocessableEntity, "Not a valid email address")
	expect(t, owner.post("/rules", addRule("glob", "acme.com", "block", "")), http.StatusUnprocessableEntity, `id="kind-error"`, "Choose one of")
	expect(t, owner.post("/rules", addRule("domain", "", "maybe", "")), http.StatusUnprocessableEntity, `id="pattern-error"`, `id="action-error"`)

	expectRedirect(t, owner.post("/rules", addRule("domain", "Competitor.test", "block", "the competition")), "/rules")
	expectRedirect(t, owner.post("/rules", addRule("address", "VIP@competitor.test", "allow", "")), "/rules")
	expectRedirect(t, owner.post("/rules", addRule("wildcard", "*.spam.test", "block", "")), "/rules")
	expect(t, owner.get("/rules"), http.StatusOK, "Rule added: allow address vip@competitor.test.", "competitor.test", "the competition", "*.spam.test", "3 of 1000 rules used")
	expect(t, owner.post("/rules", addRule("domain", "COMPETITOR.test", "allow", "")), http.StatusUnprocessableEntity, "already a rule for this pattern")

	// The tester, as an HTMX partial and as a full page.
	hx := func(email string) response {
		return owner.post("/rules/test", url.Values{"email": {email}}, "HX-Request", "true")
	}
	res := hx("ann@Competitor.test")
	expect(t, res, http.StatusOK, `id="rule-test"`, "Blocked by your rule: domain competitor.test", "blocked_by_rule", "the competition")
	if strings.Contains(res.body, "<html") {
		t.Fatal("the tester answered HTMX with a whole page")
	}
	expect(t, hx("vip@competitor.test"), http.StatusOK, "Allowed by your rule: address vip@competitor.test", "allowed_by_rule")
	expect(t, hx("x@a.b.spam.test"), http.StatusOK, "Blocked by your rule: wildcard *.spam.test")
	expect(t, hx("x@spam.test"), http.StatusOK, "No rule matches — the address would be verified normally.")
	expect(t, hx("not an address"), http.StatusOK, "Not a valid address")
	expect(t, hx(""), http.StatusOK, "This field is required.")
	expect(t, owner.post("/rules/test", url.Values{"email": {"ann@competitor.test"}}), http.StatusOK, "Which rule wins", "Blocked by your rule: domain competitor.test")
	if n := countRows(t, h, "SELECT count(*) FROM verifications"); n != 0 {
		t.Fatalf("the tester recorded %d verifications", n)
	}

	id := ruleID(t, h, "competitor.test")
	expectRedirect(t, owner.post("/rules/"+id+"/delete", nil), "/rules")
	expect(t, owner.get("/rules"), http.StatusOK, "Rule deleted: block domain competitor.test.")
	expect(t, owner.post("/rules/"+id+"/delete", nil), http.StatusNotFound)
	expect(t, owner.post("/rules/not-a-uuid/delete", nil), http.StatusNotFound)
	expect(t, hx("ann@competitor.test"), http.StatusOK, "No rule matches")

	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action = 'rule.created' AND actor_id IS NOT NULL"); n != 3 {
		t.Fatalf("%d rule.created events, want 3", n)
	}
	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action = 'rule.deleted' AND target_id = $1", id); n != 1 {
		t.Fatalf("%d rule.deleted events, want 1", n)
	}
}

func TestRulesMembersAreReadOnly(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expectRedirect(t, owner.post("/rules", addRule("domain", "blocked.test", "block", "")), "/rules")
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	mia := h.browser()
	expectRedirect(t, mia.post(h.mailedLink("mia@acme.test", "invited"), url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")

	res := mia.get("/rules")
	expect(t, res, http.StatusOK, "blocked.test", "Only owners and admins can add or delete rules.")
	if strings.Contains(res.body, "/delete") || strings.Contains(res.body, `id="rule-form"`) {
		t.Fatal("a member is offered to change rules")
	}
	expect(t, mia.post("/rules", addRule("domain", "other.test", "block", "")), http.StatusForbidden)
	expect(t, mia.post("/rules/"+ruleID(t, h, "blocked.test")+"/delete", nil), http.StatusForbidden)
	// Testing changes nothing, so members may.
	expect(t, mia.post("/rules/test", url.Values{"email": {"x@blocked.test"}}, "HX-Request", "true"), http.StatusOK, "Blocked by your rule")
	if n := countRows(t, h, "SELECT count(*) FROM rules"); n != 1 {
		t.Fatalf("%d rules, want 1", n)
	}
}

func TestRulesPagesIsolateTenants(t *testing.T) {
	h := newHarness(t)
	a, b := h.signUp("Alpha", "ann@alpha.test"), h.signUp("Beta", "bob@beta.test")
	expectRedirect(t, a.post("/rules", addRule("domain", "alpha-only.test", "block", "secret note")), "/rules")
	id := ruleID(t, h, "alpha-only.test")

	res := b.get("/rules")
	expect(t, res, http.StatusOK, "No rules.")
	if strings.Contains(res.body, "alpha-only.test") || strings.Contains(res.body, "secret note") {
		t.Fatal("B sees A's rule")
	}
	expect(t, b.post("/rules/"+id+"/delete", nil), http.StatusNotFound)
	expect(t, b.post("/rules/test", url.Values{"email": {"x@alpha-only.test"}}, "HX-Request", "true"), http.StatusOK, "No rule matches")
	expect(t, a.get("/rules"), http.StatusOK, "alpha-only.test")
}
