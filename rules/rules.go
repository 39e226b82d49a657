// Package rules owns a tenant's verification rules: allow and block list
// entries for exact addresses, domains, subdomain wildcards and regular
// expressions. Rules are checked before the cache and the engine, so a
// matching rule decides the verdict without touching the network.
//
// Precedence (see RuleSet.Match): the most specific match wins —
//
//  1. exact address (ceo@acme.com)
//  2. domain (acme.com: that domain only, not its subdomains)
//  3. wildcard (*.acme.com: mail.acme.com and deeper, not acme.com itself),
//     the longer suffix first
//  4. regex, matched against the normalized lower-cased address
//
// At equal specificity block beats allow; regexes of the same action are
// tried in order of creation.
package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/safetext"
	"mailvet/verify/address"
)

// Kind is what a rule's pattern describes.
type Kind string

const (
	KindAddress  Kind = "address"
	KindDomain   Kind = "domain"
	KindWildcard Kind = "wildcard"
	KindRegex    Kind = "regex"
)

// Valid reports whether k is one of the four kinds.
func (k Kind) Valid() bool {
	return k == KindAddress || k == KindDomain || k == KindWildcard || k == KindRegex
}

// Action is the verdict a rule gives.
type Action string

const (
	Allow Action = "allow"
	Block Action = "block"
)

// Valid reports whether a is allow or block.
func (a Action) Valid() bool { return a == Allow || a == Block }

// Limits.
const (
	MaxRulesPerTenant = 1000
	MaxRegexLen       = 200
	MaxNoteLen        = 200
	maxPatternLen     = 300 // stored patterns: addresses (254) and "*." + domain (255)
)

// Rule is one allow or block list entry of a tenant.
type Rule struct {
	ID        uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	TenantID  uuid.UUID  `bun:"tenant_id,type:uuid"`
	Kind      Kind       `bun:"kind"`
	Pattern   string     `bun:"pattern"`
	Action    Action     `bun:"action"`
	Note      string     `bun:"note"`
	CreatedBy *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt time.Time  `bun:"created_at,nullzero,default:now()"`

	bun.BaseModel `bun:"table:rules"`
}

// NewRule is a rule to create, as typed by a person or sent to the API.
type NewRule struct {
	Kind    Kind
	Pattern string
	Action  Action
	Note    string
}

var (
	// ErrNotFound covers rules that do not exist and rules of another
	// tenant: their existence is never revealed.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate is a second rule with the same kind and pattern.
	ErrDuplicate = errors.New("a rule with this pattern already exists")
	// ErrTooMany is the per-tenant limit.
	ErrTooMany = fmt.Errorf("a workspace can have at most %d rules; delete some first", MaxRulesPerTenant)
)

// FieldError is invalid input, with the field it is about (kind, pattern,
// action or note) and a message to show next to it.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate checks a new rule and returns it normalized: address, domain and
// wildcard patterns lower-cased (domains in their ASCII/punycode form), the
// note trimmed. Errors are *FieldError.
func Validate(in NewRule) (NewRule, error) {
	out := NewRule{Kind: in.Kind, Action: in.Action, Note: strings.TrimSpace(in.Note)}
	if !out.Kind.Valid() {
		return out, fieldErr("kind", "Choose one of: address, domain, wildcard, regex.")
	}
	if !out.Action.Valid() {
		return out, fieldErr("action", "Choose allow or block.")
	}
	if safetext.HasControl(out.Note) {
		return out, fieldErr("note", "Remove the control characters (line breaks, tabs, NUL).")
	}
	if utf8.RuneCountInString(out.Note) > MaxNoteLen {
		return out, fieldErr("note", "Use at most %d characters.", MaxNoteLen)
	}
	pattern, err := NormalizePattern(out.Kind, in.Pattern)
	if err != nil {
		return out, err
	}
	out.Pattern = pattern
	return out, nil
}

// NormalizePattern validates a pattern of the given kind and returns the
// form that is stored and matched. Errors are *FieldError on "pattern".
func NormalizePattern(kind Kind, raw string) (string, error) {
	p := strings.TrimSpace(raw)
	if p == "" {
		return "", fieldErr("pattern", "This field is required.")
	}
	// A control character (a NUL, a line break inside) is never part of an
	// address, a domain or a regex typed on one line; PostgreSQL refuses a
	// NUL outright.
	if safetext.HasControl(p) {
		return "", fieldErr("pattern", "Remove the control characters (line breaks, tabs, NUL).")
	}
	switch kind {
	case KindAddress:
		a, prob := address.Parse(p)
		if prob != nil {
			return "", fieldErr("pattern", "Not a valid email address: %s.", prob.Message)
		}
		return strings.ToLower(a.Normalized), nil
	case KindDomain:
		if strings.HasPrefix(p, "*") {
			return "", fieldErr("pattern", "For *.%s choose the wildcard kind.", strings.TrimLeft(p, "*."))
		}
		return normalizeDomain(strings.TrimPrefix(p, "@"))
	case KindWildcard:
		rest, ok := strings.CutPrefix(p, "*.")
		if !ok {
			return "", fieldErr("pattern", "A wildcard is *. followed by a domain, like *.acme.com.")
		}
		d, err := normalizeDomain(rest)
		if err != nil {
			return "", err
		}
		return "*." + d, nil
	case KindRegex:
		if len(p) > MaxRegexLen {
			return "", fieldErr("pattern", "A regex can be at most %d characters long.", MaxRegexLen)
		}
		// Compiled as typed first, so that the message quotes the
		// pattern without the case-folding prefix compileRegex adds.
		if _, err := regexp.Compile(p); err != nil {
			return "", fieldErr("pattern", "Not a valid regular expression (RE2 syntax): %s.", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		if _, err := compileRegex(p); err != nil {
			return "", fieldErr("pattern", "Not a valid regular expression (RE2 syntax): %v.", err)
		}
		return p, nil
	}
	return "", fieldErr("kind", "Choose one of: address, domain, wildcard, regex.")
}

// normalizeDomain validates a host name with the same rules as the domain
// of an address and returns its lower-case ASCII form.
func normalizeDomain(d string) (string, error) {
	if strings.ContainsAny(d, "@*") {
		return "", fieldErr("pattern", "Enter a domain only, like acme.com.")
	}
	a, prob := address.Parse("x@" + d)
	if prob != nil {
		return "", fieldErr("pattern", "Not a valid domain: %s.", strings.TrimPrefix(prob.Message, "domain "))
	}
	if a.IPLiteral {
		return "", fieldErr("pattern", "Enter a domain name, not an IP address.")
	}
	return a.Domain, nil
}

// compileRegex compiles a rule's regex. The address it is matched against
// is lower-cased, so the match ignores case: ^CEO@ still finds ceo@….
func compileRegex(p string) (*regexp.Regexp, error) {
	return regexp.Compile("(?i)" + p)
}
