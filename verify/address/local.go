package address

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// localPart is the result of validating a local part.
type localPart struct {
	normalized string // dot-atom as given; quoted: unquoted if a valid dot-atom, else minimally re-quoted
	quoted     bool
	utf8       bool // contains non-ASCII characters (needs SMTPUTF8)
}

// parseLocal validates a local part: a dot-atom or a quoted string.
func parseLocal(s string) (localPart, *Problem) {
	if s == "" {
		return localPart{}, problem(CodeBadLocalPart, "local part (before the @) is empty")
	}
	if !utf8.ValidString(s) {
		return localPart{}, problem(CodeBadLocalPart, "local part is not valid UTF-8")
	}
	if s[0] == '"' {
		return parseQuoted(s)
	}
	if p := checkDotAtom(s); p != nil {
		return localPart{}, p
	}
	return localPart{normalized: s, utf8: !isASCII(s)}, nil
}

// parseQuoted validates a quoted local part (quotes included in s).
func parseQuoted(s string) (localPart, *Problem) {
	if len(s) < 2 || s[len(s)-1] != '"' {
		return localPart{}, problem(CodeBadLocalPart, "quoted local part is not closed")
	}
	inner := s[1 : len(s)-1]
	if inner == "" {
		return localPart{}, problem(CodeBadLocalPart, "quoted local part is empty")
	}
	var b strings.Builder
	b.Grow(len(inner))
	for i := 0; i < len(inner); {
		c := inner[i]
		switch {
		case c == '\\':
			if i+1 >= len(inner) || inner[i+1] < 32 || inner[i+1] > 126 {
				return localPart{}, problem(CodeBadLocalPart, "backslash in quoted local part must escape a printable ASCII character")
			}
			b.WriteByte(inner[i+1])
			i += 2
			continue
		case c == '"':
			return localPart{}, problem(CodeBadLocalPart, "unescaped quote inside quoted local part")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRuneInString(inner[i:])
			if !allowedNonASCII(r) {
				return localPart{}, problem(CodeBadLocalPart, "local part contains the disallowed character %U", r)
			}
			b.WriteString(inner[i : i+size])
			i += size
			continue
		case c < 32 || c == 127:
			return localPart{}, problem(CodeBadLocalPart, "local part contains a control character")
		}
		b.WriteByte(c) // space and printable ASCII other than '"' and '\'
		i++
	}
	lp := localPart{quoted: true, utf8: !isASCII(inner)}
	unq := b.String()
	if checkDotAtom(unq) == nil {
		lp.normalized = unq
	} else {
		lp.normalized = quote(unq)
	}
	return lp, nil
}

// quote returns s as a quoted string with the minimal escaping: only '"'
// and '\\' are backslash-escaped. The result is never longer than any
// other valid quoted form of s.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// checkDotAtom validates s as an RFC 5322 dot-atom of atext, extended with
// UTF-8 characters (RFC 6532).
func checkDotAtom(s string) *Problem {
	if s == "" {
		return problem(CodeBadLocalPart, "local part is empty")
	}
	if s[0] == '.' {
		return problem(CodeBadLocalPart, "local part starts with a dot")
	}
	if s[len(s)-1] == '.' {
		return problem(CodeBadLocalPart, "local part ends with a dot")
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size <= 1 {
				return problem(CodeBadLocalPart, "local part is not valid UTF-8")
			}
			if unicode.IsSpace(r) {
				return problem(CodeBadLocalPart, "local part contains whitespace (allowed only inside quotes)")
			}
			if !allowedNonASCII(r) {
				return problem(CodeBadLocalPart, "local part contains the disallowed character %U", r)
			}
			i += size
			continue
		}
		switch {
		case c == '.':
			if s[i+1] == '.' { // safe: s does not end with '.'
				return problem(CodeBadLocalPart, "local part has consecutive dots (allowed only inside quotes)")
			}
		case c == ' ' || c == '\t':
			return problem(CodeBadLocalPart, "local part contains whitespace (allowed only inside quotes)")
		case c < 32 || c == 127:
			return problem(CodeBadLocalPart, "local part contains a control character")
		case !isAtext(c):
			return problem(CodeBadLocalPart, "local part contains %q, which is allowed only inside quotes", rune(c))
		}
		i++
	}
	return nil
}

// isAtext reports whether the ASCII byte c is RFC 5322 atext.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// allowedNonASCII reports whether r (≥ U+0080) may appear in a UTF-8 local
// part: not a control, separator/space, format character (except the
// joiners ZWNJ/ZWJ that some scripts need), private-use, or U+FFFD.
func allowedNonASCII(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r == '\u200c' || r == '\u200d':
		return true
	case unicode.IsControl(r), unicode.IsSpace(r), unicode.In(r, unicode.Z, unicode.Cf, unicode.Co, unicode.Cs):
		return false
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
