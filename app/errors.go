package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/getsentry/sentry-go"

	"mailvet/views"
)

// errorRow is how one kind of error is answered: the same row serves the
// JSON API (an RFC 9457 problem with a stable code) and the pages.
type errorRow struct {
	status int
	code   string // the problem's stable code
	title  string
	// heading is the page's heading, when it differs from title.
	heading string
	detail  string // for API clients
	page    string // for people on a page, when it differs from detail
	// form: a form shows the text again (next to field, or above the form
	// when field is "") rather than an error page.
	form    bool
	field   string
	headers map[string]string // e.g. Retry-After
}

func (row errorRow) pageText() string {
	if row.page != "" {
		return row.page
	}
	return row.detail
}

// errorRule matches an error and gives its row.
type errorRule func(error) (errorRow, bool)

// is matches a sentinel (errors.Is).
func is(target error, row errorRow) errorRule {
	return func(err error) (errorRow, bool) { return row, errors.Is(err, target) }
}

// as matches a typed error (errors.As) and lets fill put the error's own
// numbers or field into the row.
func as[T error](row errorRow, fill func(T, errorRow) errorRow) errorRule {
	return func(err error) (errorRow, bool) {
		var target T
		if !errors.As(err, &target) {
			return row, false
		}
		return fill(target, row), true
	}
}

// internalRow answers what no rule knows: logged, reported, no details.
var internalRow = errorRow{status: http.StatusInternalServerError, code: "internal_error", title: "Internal error",
	detail: "Something went wrong on our side. Quote the request id if you contact support.",
	page:   "Something went wrong on our side. Please try again; if it keeps happening, contact support and quote the request id."}

// classify finds err's row in the table; an unknown error is internal.
func (s *Server) classify(err error) (errorRow, bool) {
	for _, rule := range s.errorTable {
		if row, ok := rule(err); ok {
			return row, true
		}
	}
	if databaseUnavailable(err) {
		return unavailableRow, true
	}
	return internalRow, false
}

// fail answers err: a problem for the API, an error page for a browser.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if s.isAPI(r) {
		s.apiError(w, r, err)
		return
	}
	s.pageError(w, r, err)
}

// apiError answers err as a problem, whatever the path (the Stripe
// webhook is JSON too).
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	row := s.answerRow(w, r, err)
	detail := row.detail
	if row.status >= 500 {
		detail = strings.TrimSuffix(detail, ".") + " (request id " + infoFrom(r.Context()).ID + ")."
	}
	writeProblem(w, r, row.status, row.code, row.title, detail)
}

// pageError shows err on an error page.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	row := s.answerRow(w, r, err)
	text := row.pageText()
	if row.status >= 500 {
		text += " Request id: " + infoFrom(r.Context()).ID + "."
	}
	heading := row.title
	if row.heading != "" {
		heading = row.heading
	}
	s.renderError(w, r, row.status, heading, text)
}

// answerRow classifies err, logs what is ours to fix and sets the row's
// headers.
func (s *Server) answerRow(w http.ResponseWriter, r *http.Request, err error) errorRow {
	row, known := s.classify(err)
	switch {
	case !known:
		s.Log.Error("server error", "request_id", infoFrom(r.Context()).ID, "method", r.Method, "path", r.URL.Path, "err", err)
		sentry.CaptureException(err)
	case row.status >= 500:
		s.Log.Warn("unavailable", "request_id", infoFrom(r.Context()).ID, "path", r.URL.Path, "err", err)
	}
	for k, v := range row.headers {
		w.Header().Set(k, v)
	}
	return row
}

// formError puts err's text into the form when its row belongs on a form
// and returns the status to show the form with; false: answer with
// s.fail instead. rename maps the table's field to this form's name for it
// (the new-password field of the account page, say).
func (s *Server) formError(w http.ResponseWriter, f *views.Form, err error, rename ...string) (int, bool) {
	row, _ := s.classify(err)
	if !row.form {
		return 0, false
	}
	field := row.field
	for i := 0; i+1 < len(rename); i += 2 {
		if rename[i] == field {
			field = rename[i+1]
		}
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if field == "" {
		f.Error = row.pageText()
	} else if _, done := f.Errors[field]; !done {
		f.Errors[field] = row.pageText()
	}
	for k, v := range row.headers {
		w.Header().Set(k, v)
	}
	// A form is shown again as 422, except where the status itself tells
	// clients something (unreadable, too large, over quota).
	switch row.status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusTooManyRequests:
		return row.status, true
	}
	return http.StatusUnprocessableEntity, true
}
