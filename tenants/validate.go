package tenants

import (
	"strings"
	"unicode"

	"mailvet/safetext"
)

// checkText refuses control characters (CR, LF, NUL, tab…) and invalid
// UTF-8 in a name or address a person typed. Refused here, at the door,
// because they break later and far away: a CR/LF in a tenant name made
// every invitation's mail subject fail, a NUL makes PostgreSQL refuse the
// row.
func checkText(field, value string) error {
	if safetext.HasControl(value) {
		return &InputError{Field: field, Reason: "must not contain line breaks, tabs or other control characters"}
	}
	return nil
}

// checkTexts applies checkText to field/value pairs, in order.
func checkTexts(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkText(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// oneLine replaces control characters with spaces, for text stored before
// checkText existed that goes into a mail header.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
