package app

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"

	"mailvet/views"
)

// newValidator reports field names as they appear in forms and JSON.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		for _, tag := range []string{"form", "json"} {
			if name, _, _ := strings.Cut(f.Tag.Get(tag), ","); name != "" && name != "-" {
				return name
			}
		}
		return f.Name
	})
	return v
}

// parseForm reads a size-limited form body into a views.Form with the
// named fields, trimmed (passwords are kept as typed).
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request, fields ...string) (views.Form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return views.Form{}, err
	}
	f := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	for _, name := range fields {
		v := r.PostForm.Get(name)
		if !strings.Contains(name, "password") {
			v = strings.TrimSpace(v)
		}
		f.Values[name] = v
	}
	return f, nil
}

// check validates v and puts each field's message into f.Errors.
func (s *Server) check(f *views.Form, v any) bool {
	err := s.validate.Struct(v)
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err == nil
	}
	for _, fe := range verrs {
		if _, done := f.Errors[fe.Field()]; !done {
			f.Errors[fe.Field()] = fieldMessage(fe)
		}
	}
	return false
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
func describeValidation(err error) string {
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return err.Error()
	}
	parts := make([]string, 0, len(verrs))
	for _, fe := range verrs {
		parts = append(parts, fe.Field()+": "+fieldMessage(fe))
	}
	return strings.Join(parts, " ")
}

// badForm answers a form body that could not even be parsed.
func (s *Server) badForm(w http.ResponseWriter, r *http.Request, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		s.renderError(w, r, http.StatusRequestEntityTooLarge, "Form too large", fmt.Sprintf("The form sent more than %d bytes.", tooLarge.Limit))
		return
	}
	s.renderError(w, r, http.StatusBadRequest, "Bad request", "The form could not be read. Reload the page and try again.")
}
