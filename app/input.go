package app

import (
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"mailvet/safetext"
)

// fieldProblem is what is wrong with one input field.
type fieldProblem struct{ name, message string }

// inputError is input refused at the edge, before any domain call: a
// control character, a value the validator refused (422), a request of
// the wrong shape (400).
type inputError struct {
	problems []fieldProblem
	status   int // 0: 422
}

func (e *inputError) Error() string {
	parts := make([]string, 0, len(e.problems))
	for _, p := range e.problems {
		parts = append(parts, p.name+": "+p.message)
	}
	return strings.Join(parts, " ")
}

func (e *inputError) first() fieldProblem {
	if len(e.problems) == 0 {
		return fieldProblem{message: "This value is not valid."}
	}
	return e.problems[0]
}

func (e *inputError) field() string { return e.first().name }

func invalidField(name, message string) *inputError {
	return &inputError{problems: []fieldProblem{{name, message}}}
}

// badRequest is a request of the wrong shape, answered 400.
func badRequest(name, message string) *inputError {
	return &inputError{problems: []fieldProblem{{name, message}}, status: 400}
}

// jsonError is a body that is not JSON for the endpoint.
type jsonError struct{ err error }

func (e *jsonError) Error() string { return "invalid JSON: " + e.err.Error() }
func (e *jsonError) Unwrap() error { return e.err }

// bodyError is a request body that could not be read to its end (cut
// short, a truncated multipart upload): the client's fault, not ours.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "unreadable request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// uploadTooLargeError is an upload over UploadMaxBytes.
type uploadTooLargeError struct{ limit int64 }

func (e *uploadTooLargeError) Error() string { return "upload larger than " + byteSize(e.limit) }

// errNotFound is a path with nothing behind it (a malformed id, say).
var errNotFound = errors.New("not found")

const controlMessage = "Remove the control characters (line breaks, tabs or NUL bytes) from this field."

// textField is one string field of an input struct, named as in its form
// or JSON.
type textField struct {
	name   string
	value  reflect.Value
	secret bool // `text:"secret"`: passwords, kept as typed and never echoed
}

// textFields lists v's string fields ([]string elements too, as
// name[i]); v is a pointer to a struct.
func textFields(v any) []textField {
	var out []textField
	var walk func(rv reflect.Value)
	walk = func(rv reflect.Value) {
		rt := rv.Type()
		for i := range rt.NumField() {
			sf, fv := rt.Field(i), rv.Field(i)
			if !sf.IsExported() {
				continue
			}
			name := fieldName(sf)
			switch {
			case sf.Anonymous && fv.Kind() == reflect.Struct:
				walk(fv)
			case fv.Kind() == reflect.String:
				out = append(out, textField{name: name, value: fv, secret: sf.Tag.Get("text") == "secret"})
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
				for j := range fv.Len() {
					out = append(out, textField{name: name + "[" + strconv.Itoa(j) + "]", value: fv.Index(j)})
				}
			}
		}
	}
	walk(reflect.ValueOf(v).Elem())
	return out
}

// fieldName is the form or JSON name of a struct field.
func fieldName(f reflect.StructField) string {
	for _, tag := range []string{"form", "json"} {
		if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" && name != "-" {
			return name
		}
	}
	return f.Name
}

// cleanText trims v's text fields (when trim; secrets never) and refuses
// control characters: in a name, an address or a rule they are never
// meant, and PostgreSQL refuses a NUL outright. Secrets may hold anything
// but NUL.
func cleanText(v any, trim bool) *inputError {
	var e inputError
	for _, f := range textFields(v) {
		s := f.value.String()
		if trim && !f.secret {
			s = strings.TrimSpace(s)
			f.value.SetString(s)
		}
		if (f.secret && safetext.HasNUL(s)) || (!f.secret && safetext.HasControl(s)) {
			e.problems = append(e.problems, fieldProblem{f.name, controlMessage})
		}
	}
	if len(e.problems) > 0 {
		return &e
	}
	return nil
}

// checkText refuses control characters in one value read outside a struct
// (multipart options, headers).
func checkText(name, value string) *inputError {
	if safetext.HasControl(value) {
		return invalidField(name, controlMessage)
	}
	return nil
}

// readWholeBody reads a body a signature covers, byte for byte, up to
// limit: more is an *http.MaxBytesError, a body cut short a *bodyError.
func readWholeBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if !errors.As(err, &tooLarge) {
			err = &bodyError{err}
		}
		return nil, err
	}
	return body, nil
}
