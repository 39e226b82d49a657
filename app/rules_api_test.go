package app_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

type apiRule struct {
	ID, Kind, Pattern, Action, Note string
	CreatedAt                       time.Time `json:"created_at"`
}

type apiRuleTest struct {
	Email, Normalized string
	Matched           bool
	Rule              *apiRule
	Status, Reason    *string
}

func decodeRuleJSON[T any](t *testing.T, res response, status int) T {
	t.Helper()
	expect(t, res, status)
	var v T
	if err := json.Unmarshal([]byte(res.body), &v); err != nil {
		t.Fatalf("%v in %s", err, res.body)
	}
	return v
}

func expectRuleProblem(t *testing.T, res response, status int, code, detail string) {
	t.Helper()
	expectProblem(t, res, status, code)
	if !strings.Contains(res.body, detail) {
		t.Fatalf("problem detail lacks %q: %s", detail, res.body)
	}
}

func TestRulesAPI(t *testing.T) {
	h := newHarness(t)
	a, b := h.signUp("Alpha", "ann@alpha.test"), h.signUp("Beta", "bob@beta.test")
	keyA, keyB := newKey(t, a, "test"), newKey(t, b, "live") // keys of any mode manage rules
	api := h.browser()

	if l := decodeRuleJSON[struct{ Rules []apiRule }](t, api.apiJSON("GET", "/v1/rules", keyA, ""), http.StatusOK); l.Rules == nil || len(l.Rules) != 0 {
		t.Fatalf("empty list %+v", l)
	}
	created := decodeRuleJSON[apiRule](t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"domain","pattern":"Blocked.test","action":"block","note":"spam"}`), http.StatusCreated)
	if created.ID == "" || created.Pattern != "blocked.test" || created.Kind != "domain" || created.Action != "block" || created.Note != "spam" {
		t.Fatalf("created %+v", created)
	}
	decodeRuleJSON[apiRule](t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"regex","pattern":"^vip[0-9]+@","action":"allow"}`), http.StatusCreated)

	expectRuleProblem(t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"regex","pattern":"(","action":"block"}`), http.StatusUnprocessableEntity, "invalid_request", "pattern: Not a valid regular expression")
	expectRuleProblem(t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"domain","pattern":"a@b.test","action":"block"}`), http.StatusUnprocessableEntity, "invalid_request", "pattern:")
	expectRuleProblem(t, api.apiJSON("POST", "/v1/rules", keyA, `{"pattern":"x.test","action":"block"}`), http.StatusUnprocessableEntity, "invalid_request", "kind:")
	expectRuleProblem(t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"domain","pattern":"x.test","action":"deny"}`), http.StatusUnprocessableEntity, "invalid_request", "action:")
	expectRuleProblem(t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"domain","pattern":"x.test","action":"block","note":"`+strings.Repeat("n", 201)+`"}`), http.StatusUnprocessableEntity, "invalid_request", "note:")
	expectProblem(t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"domain","pattern":"x.test","action":"block","extra":1}`), http.StatusBadRequest, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/rules", keyA, `{"kind":"domain","pattern":"BLOCKED.test","action":"allow"}`), http.StatusConflict, "rule_exists")

	test := func(key, email string) apiRuleTest {
		t.Helper()
		return decodeRuleJSON[apiRuleTest](t, api.apiJSON("POST", "/v1/rules/test", key, `{"email":"`+email+`"}`), http.StatusOK)
	}
	v := test(keyA, "Ann@Blocked.test")
	if !v.Matched || v.Rule == nil || v.Rule.ID != created.ID || v.Rule.Note != "spam" || !v.Rule.CreatedAt.Equal(created.CreatedAt) || created.CreatedAt.IsZero() || *v.Status != "undeliverable" || *v.Reason != "blocked_by_rule" || v.Normalized != "Ann@blocked.test" || v.Email != "Ann@Blocked.test" {
		t.Fatalf("blocked %+v", v)
	}
	if v := test(keyA, "VIP7@other.test"); !v.Matched || v.Rule.Kind != "regex" || *v.Status != "deliverable" || *v.Reason != "allowed_by_rule" {
		t.Fatalf("allowed %+v", v)
	}
	if v := test(keyA, "ann@other.test"); v.Matched || v.Rule != nil || v.Status != nil || v.Reason != nil {
		t.Fatalf("no match %+v", v)
	}
	if v := test(keyA, "not an address"); v.Matched || v.Status == nil || *v.Status != "undeliverable" || *v.Reason != "invalid_syntax" {
		t.Fatalf("bad syntax %+v", v)
	}
	expectProblem(t, api.apiJSON("POST", "/v1/rules/test", keyA, `{}`), http.StatusUnprocessableEntity, "invalid_request")
	if n := countRows(t, h, "SELECT count(*) FROM verifications"); n != 0 {
		t.Fatalf("the tester recorded %d verifications", n)
	}

	// Tenant B sees, tests against and deletes nothing of A's.
	if l := decodeRuleJSON[struct{ Rules []apiRule }](t, api.apiJSON("GET", "/v1/rules", keyB, ""), http.StatusOK); len(l.Rules) != 0 {
		t.Fatalf("B lists A's rules: %+v", l)
	}
	if v := test(keyB, "ann@blocked.test"); v.Matched {
		t.Fatalf("A's rule fired for B: %+v", v)
	}
	expectProblem(t, api.apiJSON("DELETE", "/v1/rules/"+created.ID, keyB, ""), http.StatusNotFound, "not_found")
	expectProblem(t, api.apiJSON("DELETE", "/v1/rules/not-a-uuid", keyA, ""), http.StatusNotFound, "not_found")

	l := decodeRuleJSON[struct{ Rules []apiRule }](t, api.apiJSON("GET", "/v1/rules", keyA, ""), http.StatusOK)
	if len(l.Rules) != 2 || l.Rules[0].ID != created.ID {
		t.Fatalf("A's rules %+v", l)
	}
	expect(t, api.apiJSON("DELETE", "/v1/rules/"+created.ID, keyA, ""), http.StatusNoContent)
	expectProblem(t, api.apiJSON("DELETE", "/v1/rules/"+created.ID, keyA, ""), http.StatusNotFound, "not_found")
	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action IN ('rule.created', 'rule.deleted') AND actor_key IS NOT NULL"); n != 3 {
		t.Fatalf("%d rule events by key, want 3", n)
	}
}

// A live key's verification is decided by a matching rule before the cache
// and the engine: no SMTP connection, nothing cached.
func TestVerifyAppliesRulesWithoutTheNetwork(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live, test := newKey(t, owner, "live"), newKey(t, owner, "test")
	api := h.browser()

	// Cached before the rule exists: the rule must still win.
	if v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"bob@shop.test"}`)); v.Status != "deliverable" {
		t.Fatalf("before the rule: %+v", v)
	}
	for _, body := range []string{
		`{"kind":"domain","pattern":"shop.test","action":"block"}`,
		`{"kind":"address","pattern":"ann@silent.test","action":"allow"}`,
	} {
		expect(t, api.apiJSON("POST", "/v1/rules", live, body), http.StatusCreated)
	}

	before := h.world.TotalStats().Connections
	for _, email := range []string{"bob@shop.test", "ann@shop.test", "Nobody@SHOP.test"} {
		res := api.apiJSON("POST", "/v1/verify", live, `{"email":"`+email+`"}`)
		v := decodeVerification(t, res)
		if v.Status != "undeliverable" || v.Reason != "blocked_by_rule" || v.Score != 0 || v.Cached || v.MX != nil {
			t.Fatalf("%s: %+v", email, v)
		}
		expect(t, res, http.StatusOK, "Blocked by your rule: domain shop.test")
	}
	// silent.test never answers RCPT: only the rule can make this quick.
	if v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"ann@silent.test"}`)); v.Status != "deliverable" || v.Reason != "allowed_by_rule" || v.Score != 95 {
		t.Fatalf("allowed %+v", v)
	}
	// Test keys are ruled too.
	if v := decodeVerification(t, api.apiJSON("POST", "/v1/verify", test, `{"email":"deliverable@shop.test"}`)); v.Reason != "blocked_by_rule" {
		t.Fatalf("test mode %+v", v)
	}
	if after := h.world.TotalStats().Connections; after != before {
		t.Fatalf("rules still opened %d SMTP connections", after-before)
	}
	// The dashboard box goes through the same service.
	expect(t, owner.post("/verify", map[string][]string{"email": {"x@shop.test"}}, "HX-Request", "true"), http.StatusOK, "blocked_by_rule")

	if n := countRows(t, h, "SELECT count(*) FROM verifications WHERE reason IN ('blocked_by_rule', 'allowed_by_rule')"); n != 6 {
		t.Fatalf("%d ruled verifications recorded, want 6", n)
	}
	if n := countRows(t, h, "SELECT count(*) FROM verification_cache"); n != 1 {
		t.Fatalf("%d cache entries, want only the one from before the rule", n)
	}
}
