package rules

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"mailvet/verify"
	"mailvet/verify/address"
)

// Scores of rule verdicts: a block is certain, an allow is as good as an
// address the mail server accepted.
const (
	BlockScore = 0
	AllowScore = 95
)

// RuleSet is a tenant's rules compiled for matching: maps for addresses and
// domains, a suffix map walked label by label for wildcards, and compiled
// regexes. Build it once (Store.RuleSet) and call Match for each address;
// it is read-only, so safe for concurrent use. A nil *RuleSet matches
// nothing.
type RuleSet struct {
	addresses map[string]Rule // lower-cased normalized address
	domains   map[string]Rule // lower-case ASCII domain
	wildcards map[string]Rule // the suffix after "*."
	regexes   []compiledRegex // blocks first, then allows, each in creation order
	size      int
}

type compiledRegex struct {
	rule Rule
	re   *regexp.Regexp
}

// Compile builds a RuleSet from rules given in order of creation. A stored
// regex that no longer compiles is skipped rather than failing every
// verification of the tenant.
func Compile(rules []Rule) *RuleSet {
	rs := &RuleSet{addresses: map[string]Rule{}, domains: map[string]Rule{}, wildcards: map[string]Rule{}}
	var blocks, allows []compiledRegex
	for _, r := range rules {
		switch r.Kind {
		case KindAddress:
			put(rs.addresses, strings.ToLower(r.Pattern), r)
		case KindDomain:
			put(rs.domains, strings.ToLower(r.Pattern), r)
		case KindWildcard:
			put(rs.wildcards, strings.ToLower(strings.TrimPrefix(r.Pattern, "*.")), r)
		case KindRegex:
			re, err := compileRegex(r.Pattern)
			if err != nil {
				continue
			}
			if r.Action == Block {
				blocks = append(blocks, compiledRegex{r, re})
			} else {
				allows = append(allows, compiledRegex{r, re})
			}
		default:
			continue
		}
		rs.size++
	}
	rs.regexes = append(blocks, allows...)
	return rs
}

// put keeps one rule per key: block beats allow, else the earlier rule.
func put(m map[string]Rule, key string, r Rule) {
	if old, ok := m[key]; ok && (old.Action == Block || r.Action != Block) {
		return
	}
	m[key] = r
}

// Len is the number of rules in the set.
func (rs *RuleSet) Len() int {
	if rs == nil {
		return 0
	}
	return rs.size
}

// Match is the rule that decided an address.
type Match struct {
	Rule
}

// Match finds the rule that decides a normalized address
// (address.Parse(raw).Normalized; case does not matter): exact address,
// then domain, then wildcards from the longest suffix, then regexes; at
// each tier block beats allow. Cost: two map lookups, one per label of the
// domain, then the regexes.
func (rs *RuleSet) Match(normalized string) (Match, bool) {
	if rs.Len() == 0 {
		return Match{}, false
	}
	addr := strings.ToLower(strings.TrimSpace(normalized))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return Match{}, false
	}
	domain := addr[at+1:]
	if r, ok := rs.addresses[addr]; ok {
		return matchOf(r), true
	}
	if r, ok := rs.domains[domain]; ok {
		return matchOf(r), true
	}
	if len(rs.wildcards) > 0 && domain[0] != '[' {
		// mail.eu.acme.com tries eu.acme.com, acme.com, com: longest first,
		// and never the domain itself.
		for i := 0; i < len(domain); i++ {
			if domain[i] == '.' {
				if r, ok := rs.wildcards[domain[i+1:]]; ok {
					return matchOf(r), true
				}
			}
		}
	}
	for _, c := range rs.regexes {
		if c.re.MatchString(addr) {
			return matchOf(c.rule), true
		}
	}
	return Match{}, false
}

// Check parses a raw address and matches it. An address that does not
// parse matches no rule (it is invalid_syntax whatever the rules say).
// On a match it returns the verification result the rule gives.
func (rs *RuleSet) Check(raw string) (verify.Result, Match, bool) {
	if rs.Len() == 0 {
		return verify.Result{}, Match{}, false
	}
	a, prob := address.Parse(raw)
	if prob != nil {
		return verify.Result{}, Match{}, false
	}
	m, ok := rs.Match(a.Normalized)
	if !ok {
		return verify.Result{}, Match{}, false
	}
	return m.Result(raw, a), m, true
}

func matchOf(r Rule) Match { return Match{r} }

// Status is the verdict of the rule: deliverable or undeliverable.
func (m Match) Status() verify.Status {
	if m.Action == Block {
		return verify.Undeliverable
	}
	return verify.Deliverable
}

// Reason is blocked_by_rule or allowed_by_rule.
func (m Match) Reason() verify.Reason {
	if m.Action == Block {
		return verify.ReasonBlockedByRule
	}
	return verify.ReasonAllowedByRule
}

// Score is BlockScore or AllowScore.
func (m Match) Score() int {
	if m.Action == Block {
		return BlockScore
	}
	return AllowScore
}

// Detail names the rule, e.g. "Blocked by your rule: domain acme.com".
func (m Match) Detail() string {
	verb := "Allowed"
	if m.Action == Block {
		verb = "Blocked"
	}
	return fmt.Sprintf("%s by your rule: %s %s", verb, m.Kind, m.Pattern)
}

// Result is the verification result of an address decided by this rule:
// no network, nothing cached. email is the address as given.
func (m Match) Result(email string, a address.Address) verify.Result {
	return verify.Result{
		Email: email, Normalized: a.Normalized, Domain: a.Domain,
		Status: m.Status(), Reason: m.Reason(), Score: m.Score(),
		CheckedAt: time.Now().UTC(), Detail: m.Detail(),
	}
}
