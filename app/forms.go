package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-playground/form/v4"
	"github.com/go-playground/validator/v10"

	"mailvet/views"
)

// newValidator reports field names as they appear in forms and JSON.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(fieldName)
	return v
}

// newFormDecoder decodes form bodies into structs by their `form` tags.
func newFormDecoder() *form.Decoder {
	d := form.NewDecoder()
	d.SetMode(form.ModeExplicit) // only tagged fields are filled from a form
	return d
}

// decodeForm reads a size-limited form body into dst, a pointer to a
// struct whose fields name their form field once, in a `form` tag. Text is
// trimmed (passwords, tagged `text:"secret"`, are kept as typed), control
// characters are refused and the struct is validated. The returned form
// holds the values to show again (never a secret) and each field's first
// problem; ok is false when there is one. err means the body could not be
// read: answer it with s.fail.
func (s *Server) decodeForm(w http.ResponseWriter, r *http.Request, dst any) (f views.Form, ok bool, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return f, false, err
		}
		return f, false, &bodyError{err}
	}
	f = views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	if err := s.forms.Decode(dst, r.PostForm); err != nil {
		var decodeErrs form.DecodeErrors
		if !errors.As(err, &decodeErrs) {
			return f, false, &bodyError{err}
		}
		for name := range decodeErrs {
			f.Errors[name] = "This value is not valid."
		}
	}
	s.checkInput(&f, dst, true)
	for _, tf := range textFields(dst) {
		if !tf.secret {
			f.Values[tf.name] = tf.value.String()
		}
	}
	return f, len(f.Errors) == 0, nil
}

// checkInput cleans and validates v, putting each field's first problem
// into f.
func (s *Server) checkInput(f *views.Form, v any, trim bool) {
	if e := cleanText(v, trim); e != nil {
		for _, p := range e.problems {
			if _, done := f.Errors[p.name]; !done {
				f.Errors[p.name] = p.message
			}
		}
	}
	var verrs validator.ValidationErrors
	if err := s.validate.Struct(v); errors.As(err, &verrs) {
		for _, fe := range verrs {
			if _, done := f.Errors[fe.Field()]; !done {
				f.Errors[fe.Field()] = fieldMessage(fe)
			}
		}
	}
}

// validInput cleans and validates v for the API; the error, if any, is an
// *inputError naming each field.
func (s *Server) validInput(v any) error {
	if e := cleanText(v, false); e != nil {
		return e
	}
	var verrs validator.ValidationErrors
	if err := s.validate.Struct(v); errors.As(err, &verrs) {
		e := &inputError{}
		for _, fe := range verrs {
			e.problems = append(e.problems, fieldProblem{fe.Field(), fieldMessage(fe)})
		}
		return e
	} else if err != nil {
		return err
	}
	return nil
}

func fieldMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "This field is required."
	case "email":
		return "Enter a valid email address, like name@company.com."
	case "max":
		return fmt.Sprintf("Use at most %s characters.", fe.Param())
	case "min":
		return fmt.Sprintf("Use at least %s characters.", fe.Param())
	case "oneof":
		return "Choose one of: " + strings.ReplaceAll(fe.Param(), " ", ", ") + "."
	case "uuid":
		return "Unknown choice."
	default:
		return "This value is not valid."
	}
}

// describeValidation turns validation errors into one API detail line.
func describeValidation(verrs validator.ValidationErrors) string {
	parts := make([]string, 0, len(verrs))
	for _, fe := range verrs {
		parts = append(parts, fe.Field()+": "+fieldMessage(fe))
	}
	return strings.Join(parts, " ")
}
