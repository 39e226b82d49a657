package app

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// problem is an RFC 9457 problem details body with our stable code.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Code      string `json:"code"`
	Instance  string `json:"instance,omitempty"`
	RequestID string `json:"request_id"`
}

// writeProblem is the one way the API answers with an error.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, code, title, detail string) {
	infoFrom(r.Context()).api.problem = code // for the request log
	p := problem{
		Type:      "urn:mailvet:problem:" + code,
		Title:     title,
		Status:    status,
		Detail:    detail,
		Code:      code,
		Instance:  r.URL.Path,
		RequestID: infoFrom(r.Context()).ID,
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// writeJSON answers an API request with v.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a size-limited JSON body into v, refuses control
// characters in its text and validates it. On failure it has already
// answered with a problem and returns false.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
	if err := decodeStrictJSON(r.Body, v); err != nil {
		s.apiError(w, r, err)
		return false
	}
	if err := s.validInput(v); err != nil {
		s.apiError(w, r, err)
		return false
	}
	return true
}

// decodeStrictJSON reads exactly one JSON value with no unknown fields.
// A body over the limit stays an *http.MaxBytesError; anything else is a
// *jsonError.
func decodeStrictJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("unexpected data after the JSON value")
	}
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tooLarge):
		return err
	}
	return &jsonError{err}
}

func (s *Server) handleAPINotFound(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, http.StatusNotFound, "not_found", "Not found", "No API endpoint at "+r.Method+" "+r.URL.Path+".")
}
