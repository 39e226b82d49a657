package address

import (
	"fmt"
	"strings"
)

// RFC 5321 §4.5.3.1 size limits, in octets.
const (
	MaxLocalLen  = 64  // local part
	MaxDomainLen = 253 // domain, ASCII form, without a trailing dot
	MaxPathLen   = 254 // local + "@" + domain (the 256-octet path minus "<>")

	// maxInputLen bounds the work done on hostile input: anything longer
	// (after trimming) cannot be a valid address in any form we accept.
	maxInputLen = 1024
)

// Code is a stable machine-readable reason for rejecting an address.
type Code string

// Problem codes returned by Parse.
const (
	CodeEmpty         Code = "empty"           // nothing but whitespace
	CodeMissingAt     Code = "missing_at"      // no "@" separating local part and domain
	CodeMultipleAt    Code = "multiple_at"     // more than one unquoted "@"
	CodeBadLocalPart  Code = "bad_local_part"  // local part empty or not valid syntax
	CodeBadDomain     Code = "bad_domain"      // domain empty or not a valid host name / literal
	CodeLocalTooLong  Code = "local_too_long"  // local part over 64 octets
	CodeDomainTooLong Code = "domain_too_long" // domain over 253 octets (ASCII form)
	CodePathTooLong   Code = "path_too_long"   // whole address over 254 octets
)

// Problem says why an address was rejected: Code for machines, Message
// (English, safe to show to the person who typed the address) for humans.
//
// Parse returns a nil *Problem on success. Problem implements error, but
// beware storing a nil *Problem in an error variable (it is then non-nil);
// compare the *Problem itself with nil.
type Problem struct {
	Code    Code
	Message string
}

func (p *Problem) Error() string { return string(p.Code) + ": " + p.Message }

func problem(c Code, format string, args ...any) *Problem {
	return &Problem{Code: c, Message: fmt.Sprintf(format, args...)}
}

// Address is a syntactically valid e-mail address.
type Address struct {
	// Input is the string given to Parse, untouched (not even trimmed).
	Input string
	// Local is the local part as given (case preserved; quoted form
	// including its quotes and escapes).
	Local string
	// Domain is the ASCII (punycode) lower-case domain without a trailing
	// dot, or the canonical lower-case address literal ("[192.0.2.1]",
	// "[ipv6:2001:db8::1]") when IPLiteral is set.
	Domain string
	// UnicodeDomain is the Unicode form of Domain, for display. Equal to
	// Domain when the domain has no IDN labels.
	UnicodeDomain string
	// Normalized is local@Domain, with a quoted local part unquoted when
	// its content is a valid dot-atom. Use it for de-duplication and as
	// the address to probe.
	Normalized string
	// Quoted is set when the local part was given as a quoted string.
	Quoted bool
	// IPLiteral is set when the domain is an address literal. Such
	// addresses are syntactically valid but are not acceptable delivery
	// targets for a mailing list: nothing vouches for the host (no MX), and
	// many providers refuse them.
	IPLiteral bool
	// SMTPUTF8 is set when the local part contains non-ASCII characters:
	// delivering to it needs a server that offers the RFC 6531 SMTPUTF8
	// extension. (A non-ASCII domain alone does not need it: Domain is
	// punycode.)
	SMTPUTF8 bool
}

// String returns the normalised address.
func (a Address) String() string { return a.Normalized }

// Unicode returns the normalised local part with the Unicode domain, for
// display.
func (a Address) Unicode() string {
	i := strings.LastIndexByte(a.Normalized, '@')
	if i < 0 {
		return a.Normalized
	}
	return a.Normalized[:i+1] + a.UnicodeDomain
}

// Parse validates raw as an e-mail address and returns it split and
// normalised, or a Problem saying why it is not acceptable.
func Parse(raw string) (Address, *Problem) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return Address{}, problem(CodeEmpty, "address is empty")
	case len(s) > maxInputLen:
		return Address{}, problem(CodePathTooLong, "address is %d octets long; at most %d are allowed", len(s), MaxPathLen)
	}

	local, domain, p := split(s)
	if p != nil {
		return Address{}, p
	}

	lp, p := parseLocal(local)
	if p != nil {
		return Address{}, p
	}
	if len(local) > MaxLocalLen {
		return Address{}, problem(CodeLocalTooLong, "local part is %d octets long; at most %d are allowed", len(local), MaxLocalLen)
	}

	dom, p := parseDomain(domain)
	if p != nil {
		return Address{}, p
	}
	if n := len(local) + 1 + len(dom.ascii); n > MaxPathLen {
		return Address{}, problem(CodePathTooLong, "address is %d octets long; at most %d are allowed", n, MaxPathLen)
	}

	return Address{
		Input:         raw,
		Local:         local,
		Domain:        dom.ascii,
		UnicodeDomain: dom.unicode,
		Normalized:    lp.normalized + "@" + dom.ascii,
		Quoted:        lp.quoted,
		IPLiteral:     dom.literal,
		SMTPUTF8:      lp.utf8,
	}, nil
}

// split separates the local part from the domain at the one unquoted "@".
func split(s string) (local, domain string, p *Problem) {
	if s[0] == '"' {
		end := closingQuote(s)
		if end < 0 {
			return "", "", problem(CodeBadLocalPart, "quoted local part has no closing quote")
		}
		rest := s[end+1:]
		switch {
		case rest == "":
			return "", "", problem(CodeMissingAt, "address has no @ sign")
		case rest[0] != '@':
			return "", "", problem(CodeBadLocalPart, "unexpected characters after the quoted local part")
		case strings.Contains(rest[1:], "@"):
			return "", "", problem(CodeMultipleAt, "address has more than one @ sign outside quotes")
		}
		return s[:end+1], rest[1:], nil
	}
	switch strings.Count(s, "@") {
	case 0:
		return "", "", problem(CodeMissingAt, "address has no @ sign")
	case 1:
	default:
		return "", "", problem(CodeMultipleAt, "address has more than one @ sign outside quotes")
	}
	local, domain, _ = strings.Cut(s, "@")
	if local == "" {
		return "", "", problem(CodeBadLocalPart, "local part (before the @) is empty")
	}
	if domain == "" {
		return "", "", problem(CodeBadDomain, "domain (after the @) is empty")
	}
	return local, domain, nil
}

// closingQuote returns the index of the quote closing the quoted string
// that starts at s[0], or -1. A backslash escapes the next byte.
func closingQuote(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}
