// Package safetext holds the few rules text must follow wherever the
// product stores or writes it: cut on a character boundary, no control
// characters in what people type, and no spreadsheet formulas in CSV.
package safetext

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Truncate returns s cut to at most n bytes without splitting a UTF-8
// sequence, so PostgreSQL never receives invalid text.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// HasControl reports whether s holds a control character (NUL, CR, LF,
// tab, DEL, C1 controls) or invalid UTF-8: none of these belongs in a name,
// an address or a rule.
func HasControl(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

// HasNUL reports whether s holds a NUL byte or invalid UTF-8, which
// PostgreSQL text refuses; multi-line text (notes) may hold other
// controls.
func HasNUL(s string) bool { return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s) }

// CSVCell neutralises a cell that a spreadsheet would run as a formula
// (OWASP "CSV injection"): one that starts with =, +, -, @, tab or CR gets
// a leading single quote. Every CSV the product writes passes its cells
// through here.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
