package address

import (
	"net/netip"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// domainPart is the result of validating a domain.
type domainPart struct {
	ascii   string // lower-case punycode, or canonical lower-case literal
	unicode string // display form
	literal bool   // address literal
}

// idnaProfile returns the strict UTS #46 lookup profile used for domains:
// non-transitional mapping (ß stays ß), STD3 ASCII rules (letters, digits,
// hyphen), hyphen and ContextJ checks, and the RFC 5893 Bidi rule. Lengths
// are checked by parseDomain on the ASCII result, so that they get their
// own problem codes. Built per call: no package-level state.
func idnaProfile() *idna.Profile {
	return idna.New(
		idna.MapForLookup(),
		idna.Transitional(false),
		idna.StrictDomainName(true),
		idna.ValidateLabels(true),
		idna.CheckHyphens(true),
		idna.CheckJoiners(true),
		idna.BidiRule(),
	)
}

// parseDomain validates a domain (host name or address literal).
func parseDomain(s string) (domainPart, *Problem) {
	if s == "" {
		return domainPart{}, problem(CodeBadDomain, "domain (after the @) is empty")
	}
	if !utf8.ValidString(s) {
		return domainPart{}, problem(CodeBadDomain, "domain is not valid UTF-8")
	}
	if s[0] == '[' {
		return parseLiteral(s)
	}
	if p := precheckHost(s); p != nil {
		return domainPart{}, p
	}
	profile := idnaProfile()
	ascii, err := profile.ToASCII(s)
	if err != nil {
		return domainPart{}, problem(CodeBadDomain, "domain is not a valid (internationalised) host name: %v", err)
	}
	// One trailing dot (the root) is dropped after mapping, since UTS #46
	// maps some characters (e.g. U+3002 IDEOGRAPHIC FULL STOP) to '.'.
	ascii = strings.TrimSuffix(strings.ToLower(ascii), ".")
	if p := checkHost(ascii); p != nil {
		return domainPart{}, p
	}
	uni, err := profile.ToUnicode(ascii)
	if err != nil {
		uni = ascii
	}
	return domainPart{ascii: ascii, unicode: uni}, nil
}

// precheckHost rejects characters that can never appear in a host name,
// with clearer messages than the IDNA errors would give.
func precheckHost(s string) *Problem {
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			return problem(CodeBadDomain, "domain contains whitespace")
		case unicode.IsControl(r):
			return problem(CodeBadDomain, "domain contains a control character")
		case r < utf8.RuneSelf && !isLDH(byte(r)) && r != '.':
			return problem(CodeBadDomain, "domain contains %q; only letters, digits, hyphens and dots are allowed", r)
		}
	}
	return nil
}

// checkHost applies the RFC 1035/5321 rules to an ASCII domain.
func checkHost(d string) *Problem {
	if len(d) > MaxDomainLen {
		return problem(CodeDomainTooLong, "domain is %d octets long; at most %d are allowed", len(d), MaxDomainLen)
	}
	labels := strings.Split(d, ".")
	for _, l := range labels {
		switch {
		case l == "":
			return problem(CodeBadDomain, "domain has an empty label (leading or consecutive dots)")
		case len(l) > 63:
			return problem(CodeBadDomain, "domain label %q is longer than 63 octets", l[:20]+"…")
		case l[0] == '-' || l[len(l)-1] == '-':
			return problem(CodeBadDomain, "domain label %q starts or ends with a hyphen", l)
		}
		for i := 0; i < len(l); i++ {
			if !isLDH(l[i]) {
				return problem(CodeBadDomain, "domain label %q contains %q", l, rune(l[i]))
			}
		}
	}
	if len(labels) < 2 {
		return problem(CodeBadDomain, "domain %q needs at least two labels (like example.com)", d)
	}
	if allDigits(labels[len(labels)-1]) {
		if _, err := netip.ParseAddr(d); err == nil {
			return problem(CodeBadDomain, "domain is a bare IP address; address literals need brackets, like user@[%s]", d)
		}
		return problem(CodeBadDomain, "top-level domain %q is all digits", labels[len(labels)-1])
	}
	return nil
}

// parseLiteral validates an RFC 5321 address literal: "[IPv4]" or
// "[IPv6:addr]" (tag case-insensitive). General tagged literals are
// rejected.
func parseLiteral(s string) (domainPart, *Problem) {
	if len(s) < 2 || s[len(s)-1] != ']' {
		return domainPart{}, problem(CodeBadDomain, "address literal is not closed with ]")
	}
	inner := s[1 : len(s)-1]
	var canon string
	if len(inner) >= 5 && strings.EqualFold(inner[:5], "ipv6:") {
		a, err := netip.ParseAddr(inner[5:])
		if err != nil || !a.Is6() || a.Zone() != "" {
			return domainPart{}, problem(CodeBadDomain, "address literal %s is not a valid IPv6 address", s)
		}
		canon = "[ipv6:" + a.String() + "]"
	} else {
		if strings.Contains(inner, ":") {
			return domainPart{}, problem(CodeBadDomain, "address literal %s has an unsupported tag (only IPv6: is known)", s)
		}
		a, err := netip.ParseAddr(inner)
		if err != nil || !a.Is4() {
			return domainPart{}, problem(CodeBadDomain, "address literal %s is not a valid IPv4 address", s)
		}
		canon = "[" + a.String() + "]"
	}
	return domainPart{ascii: canon, unicode: canon, literal: true}, nil
}

func isLDH(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
