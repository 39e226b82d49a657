package rules_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/rules"
	"mailvet/verify"
)

// rule makes a rule with a fresh id; the slice order is creation order.
func rule(kind rules.Kind, pattern string, action rules.Action) rules.Rule {
	return rules.Rule{ID: uuid.New(), Kind: kind, Pattern: pattern, Action: action}
}

func expectMatch(t *testing.T, rs *rules.RuleSet, addr string, want rules.Rule) {
	t.Helper()
	m, ok := rs.Match(addr)
	if !ok {
		t.Fatalf("%s: no rule matched, want %s %s (%s)", addr, want.Kind, want.Pattern, want.Action)
	}
	if m.ID != want.ID || m.Kind != want.Kind || m.Pattern != want.Pattern || m.Action != want.Action {
		t.Fatalf("%s: matched %s %s (%s), want %s %s (%s)", addr, m.Kind, m.Pattern, m.Action, want.Kind, want.Pattern, want.Action)
	}
}

func expectNoMatch(t *testing.T, rs *rules.RuleSet, addr string) {
	t.Helper()
	if m, ok := rs.Match(addr); ok {
		t.Fatalf("%s: matched %s %s, want no match", addr, m.Kind, m.Pattern)
	}
}

func TestPrecedenceMostSpecificWins(t *testing.T) {
	regex := rule(rules.KindRegex, `^ceo@`, rules.Block)
	wildTop := rule(rules.KindWildcard, "*.com", rules.Allow)
	wild := rule(rules.KindWildcard, "*.acme.com", rules.Block)
	wildDeep := rule(rules.KindWildcard, "*.eu.acme.com", rules.Allow)
	domain := rule(rules.KindDomain, "acme.com", rules.Allow)
	sub := rule(rules.KindDomain, "mail.acme.com", rules.Allow)
	addr := rule(rules.KindAddress, "ceo@acme.com", rules.Block)
	// Created least specific first: order of creation must not matter
	// across tiers.
	rs := rules.Compile([]rules.Rule{regex, wildTop, wild, wildDeep, domain, sub, addr})
	if rs.Len() != 7 {
		t.Fatalf("Len %d", rs.Len())
	}

	expectMatch(t, rs, "ceo@acme.com", addr)           // address > domain > regex
	expectMatch(t, rs, "CEO@ACME.com", addr)           // case does not matter
	expectMatch(t, rs, "ann@acme.com", domain)         // domain > wildcard *.com
	expectMatch(t, rs, "ceo@mail.acme.com", sub)       // domain > wildcard > regex
	expectMatch(t, rs, "ann@x.acme.com", wild)         // wildcard *.acme.com > *.com
	expectMatch(t, rs, "ann@a.b.c.acme.com", wild)     // any depth
	expectMatch(t, rs, "ann@eu.acme.com", wild)        // *.eu.acme.com is not eu.acme.com itself
	expectMatch(t, rs, "ann@mx.eu.acme.com", wildDeep) // longer suffix first
	expectMatch(t, rs, "ann@other.com", wildTop)
	expectMatch(t, rs, "ceo@other.org", regex)
	expectNoMatch(t, rs, "ann@other.org")
}

func TestWildcardDoesNotMatchItsOwnDomain(t *testing.T) {
	wild := rule(rules.KindWildcard, "*.acme.com", rules.Block)
	rs := rules.Compile([]rules.Rule{wild})
	expectNoMatch(t, rs, "ann@acme.com")
	expectNoMatch(t, rs, "ann@notacme.com")
	expectNoMatch(t, rs, "ann@acme.com.evil.test")
	expectMatch(t, rs, "ann@mail.acme.com", wild)
	expectMatch(t, rs, "ann@x.y.z.acme.com", wild)
}

func TestBlockBeatsAllowAtEqualSpecificity(t *testing.T) {
	// The database allows one rule per kind and pattern, so ties within a
	// map tier only arise through Compile; they must still resolve to block.
	for _, kind := range []rules.Kind{rules.KindAddress, rules.KindDomain, rules.KindWildcard, rules.KindRegex} {
		pattern := map[rules.Kind]string{rules.KindAddress: "ann@acme.com", rules.KindDomain: "acme.com", rules.KindWildcard: "*.com", rules.KindRegex: "acme"}[kind]
		allow, block := rule(kind, pattern, rules.Allow), rule(kind, pattern, rules.Block)
		for _, order := range [][]rules.Rule{{allow, block}, {block, allow}} {
			expectMatch(t, rules.Compile(order), "ann@acme.com", block)
		}
	}
}

func TestRegexOrder(t *testing.T) {
	allow1 := rule(rules.KindRegex, `^sales`, rules.Allow)
	allow2 := rule(rules.KindRegex, `^sales-eu`, rules.Allow)
	block1 := rule(rules.KindRegex, `@acme\.com$`, rules.Block)
	block2 := rule(rules.KindRegex, `acme`, rules.Block)
	rs := rules.Compile([]rules.Rule{allow1, allow2, block1, block2})
	expectMatch(t, rs, "sales-eu@other.test", allow1) // first created of the allows
	expectMatch(t, rs, "sales@acme.com", block1)      // a block beats an earlier allow
	expectMatch(t, rs, "x@acme.org", block2)
	expectNoMatch(t, rs, "x@other.test")
	// Matched case-insensitively against the lower-cased address.
	upper := rule(rules.KindRegex, `^CEO@`, rules.Block)
	expectMatch(t, rules.Compile([]rules.Rule{upper}), "Ceo@acme.com", upper)
}

func TestNilAndEmptyRuleSets(t *testing.T) {
	var nilSet *rules.RuleSet
	expectNoMatch(t, nilSet, "ann@acme.com")
	if _, _, ok := nilSet.Check("ann@acme.com"); ok || nilSet.Len() != 0 {
		t.Fatal("nil set matched")
	}
	rs := rules.Compile([]rules.Rule{rule(rules.KindDomain, "acme.com", rules.Block)})
	for _, bad := range []string{"", "acme.com", "@acme.com", "ann@"} {
		expectNoMatch(t, rs, bad)
	}
	// A stored regex that no longer compiles is skipped, not fatal.
	broken := rules.Compile([]rules.Rule{rule(rules.KindRegex, `(`, rules.Block)})
	if broken.Len() != 0 {
		t.Fatalf("broken regex counted: %d", broken.Len())
	}
}

func TestCheckBuildsTheVerdict(t *testing.T) {
	block := rule(rules.KindDomain, "acme.com", rules.Block)
	allow := rule(rules.KindAddress, "vip@shop.test", rules.Allow)
	rs := rules.Compile([]rules.Rule{block, allow})

	r, m, ok := rs.Check(" Ann@ACME.com ")
	if !ok || m.ID != block.ID {
		t.Fatalf("no match: %+v", m)
	}
	if r.Status != verify.Undeliverable || r.Reason != verify.ReasonBlockedByRule || r.Score != rules.BlockScore ||
		r.Normalized != "Ann@acme.com" || r.Domain != "acme.com" || r.Email != " Ann@ACME.com " || r.Cached || r.MX != nil {
		t.Fatalf("block result %+v", r)
	}
	if r.Detail != "Blocked by your rule: domain acme.com" {
		t.Fatalf("detail %q", r.Detail)
	}
	r, _, ok = rs.Check("VIP@shop.test")
	if !ok || r.Status != verify.Deliverable || r.Reason != verify.ReasonAllowedByRule || r.Score != rules.AllowScore ||
		r.Detail != "Allowed by your rule: address vip@shop.test" {
		t.Fatalf("allow result %+v", r)
	}
	if _, _, ok := rs.Check("not an address@acme.com"); ok {
		t.Fatal("an unparseable address matched")
	}
}

func TestValidate(t *testing.T) {
	ok := []struct {
		kind          rules.Kind
		pattern, want string
	}{
		{rules.KindAddress, " CEO@Acme.COM ", "ceo@acme.com"},
		{rules.KindDomain, "ACME.com", "acme.com"},
		{rules.KindDomain, "@acme.com", "acme.com"},
		{rules.KindDomain, "bücher.de", "xn--bcher-kva.de"},
		{rules.KindDomain, "acme.com.", "acme.com"},
		{rules.KindWildcard, "*.Acme.com", "*.acme.com"},
		{rules.KindRegex, `^(sales|info)@`, `^(sales|info)@`},
	}
	for _, c := range ok {
		got, err := rules.Validate(rules.NewRule{Kind: c.kind, Pattern: c.pattern, Action: rules.Block, Note: "  n  "})
		if err != nil || got.Pattern != c.want || got.Note != "n" {
			t.Errorf("%s %q: %q %v, want %q", c.kind, c.pattern, got.Pattern, err, c.want)
		}
	}

	bad := []struct {
		kind            rules.Kind
		pattern, action string
		field, mentions string
	}{
		{rules.KindAddress, "not an address", "block", "pattern", "valid email"},
		{rules.KindAddress, "", "block", "pattern", "required"},
		{rules.KindDomain, "ann@acme.com", "block", "pattern", "domain only"},
		{rules.KindDomain, "*.acme.com", "block", "pattern", "wildcard"},
		{rules.KindDomain, "acme..com", "block", "pattern", "valid domain"},
		{rules.KindDomain, "[192.0.2.1]", "block", "pattern", "not an IP address"},
		{rules.KindDomain, "acme_corp.com", "block", "pattern", "valid domain"},
		{rules.KindWildcard, "acme.com", "block", "pattern", "*."},
		{rules.KindWildcard, "*acme.com", "block", "pattern", "*."},
		{rules.KindWildcard, "*.*.acme.com", "block", "pattern", "domain only"},
		{rules.KindRegex, "(", "block", "pattern", "missing closing )"},
		{rules.KindRegex, `a\`, "block", "pattern", "regular expression"},
		{rules.KindRegex, strings.Repeat("a", 201), "block", "pattern", "at most 200"},
		{"glob", "acme.com", "block", "kind", "Choose one of"},
		{rules.KindDomain, "acme.com", "maybe", "action", "allow or block"},
	}
	for _, c := range bad {
		_, err := rules.Validate(rules.NewRule{Kind: c.kind, Pattern: c.pattern, Action: rules.Action(c.action)})
		var fe *rules.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || !strings.Contains(fe.Message, c.mentions) {
			t.Errorf("%s %q: %v, want a %s error mentioning %q", c.kind, c.pattern, err, c.field, c.mentions)
		}
	}
	if _, err := rules.Validate(rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block, Note: strings.Repeat("é", 200)}); err != nil {
		t.Errorf("200-character note refused: %v", err)
	}
	var fe *rules.FieldError
	if _, err := rules.Validate(rules.NewRule{Kind: rules.KindDomain, Pattern: "acme.com", Action: rules.Block, Note: strings.Repeat("x", 201)}); !errors.As(err, &fe) || fe.Field != "note" {
		t.Errorf("long note: %v", err)
	}
}
