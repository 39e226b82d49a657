package inbound

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"unicode/utf8"

	"mailvet/safetext"
)

// Limits of a push's body.
const (
	// MaxBodyBytes bounds the body: 1,000 addresses of a usual length fit
	// many times over. The app should read no more than this (and one
	// byte, to know) with http.MaxBytesReader.
	MaxBodyBytes = 256 << 10
	// MaxAddresses is the most one push verifies; more is a list's work.
	MaxAddresses = 1000
	// MaxReference bounds the reference, in characters.
	MaxReference = 200
	// maxAddressBytes is /v1/verify's own limit of one address.
	maxAddressBytes = 1024
)

// pushBody is the JSON a CRM sends.
type pushBody struct {
	Emails    []string `json:"emails"`
	Reference string   `json:"reference"`

	duplicates int // exact repeats of an address, dropped from Emails
}

// decodeBody reads a push's body strictly: one JSON object, only the
// known fields, with the right types, within the limits. The addresses
// come back de-duplicated (exact repeats verify once), in their order.
func decodeBody(body []byte) (pushBody, error) {
	var p pushBody
	if len(body) > MaxBodyBytes {
		return p, &RequestError{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge,
			Detail: fmt.Sprintf("The body must be at most %d bytes.", MaxBodyBytes)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return pushBody{}, badJSON(jsonDetail(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return pushBody{}, badJSON("The body must be one JSON object and nothing after it.")
	}
	if len(p.Emails) > MaxAddresses {
		return pushBody{}, &RequestError{Status: http.StatusRequestEntityTooLarge, Code: CodeTooManyAddresses,
			Detail: fmt.Sprintf("The push has %d addresses; one push takes at most 1,000: upload a list instead (POST /v1/lists).", len(p.Emails))}
	}
	if len(p.Emails) == 0 {
		return pushBody{}, refused(`"emails" must hold at least one address.`)
	}
	if utf8.RuneCountInString(p.Reference) > MaxReference || safetext.HasControl(p.Reference) {
		return pushBody{}, refused(fmt.Sprintf(`"reference" must be at most %d characters, with no control characters.`, MaxReference))
	}
	seen := make(map[string]bool, len(p.Emails))
	unique := p.Emails[:0]
	for i, e := range p.Emails {
		// Control characters never make an address, and a NUL cannot
		// even be stored: refused rather than charged.
		if len(e) > maxAddressBytes || safetext.HasControl(e) {
			return pushBody{}, refused(fmt.Sprintf(`"emails"[%d] must be at most %d bytes, with no control characters.`, i, maxAddressBytes))
		}
		if !seen[e] {
			seen[e] = true
			unique = append(unique, e)
		}
	}
	p.duplicates = len(p.Emails) - len(unique)
	p.Emails = unique
	return p, nil
}

// jsonDetail says what is wrong with a body the decoder refused, naming
// the field where it can.
func jsonDetail(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("%q must be %s, not a JSON %s.", typeErr.Field, want(typeErr.Field), typeErr.Value)
	case errors.As(err, &typeErr):
		return `The body must be a JSON object: {"emails": ["…"], "reference": "…"}.`
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("The body is not valid JSON (at byte %d).", syntaxErr.Offset)
	case errors.Is(err, io.EOF):
		return `The body is empty: send {"emails": ["…"], "reference": "…"}.`
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "The body ends before its JSON does."
	}
	// Unknown fields: encoding/json says `json: unknown field "x"`.
	return "The body is not a push: " + err.Error() + `; send only "emails" and "reference".`
}

func want(field string) string {
	if field == "reference" {
		return "a string"
	}
	return "an array of strings"
}
