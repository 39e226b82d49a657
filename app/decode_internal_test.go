package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// decodeJSON is the one reader of JSON bodies; every /v1 endpoint that
// takes a body goes through it.
func TestDecodeJSON(t *testing.T) {
	s := &Server{Deps: Deps{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBodyBytes: 64}, validate: newValidator(), errorTable: newErrorTable()}
	type body struct {
		Email string `json:"email" validate:"required,email"`
	}
	h := s.withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b body
		if s.decodeJSON(w, r, &b) {
			writeJSON(w, http.StatusOK, b)
		}
	}))
	for _, tc := range []struct {
		body   string
		status int
		code   string
	}{
		{`{"email":"a@b.test"}`, 200, ""},
		{`{"email":"` + strings.Repeat("a", 100) + `@b.test"}`, 413, "body_too_large"},
		{`{"email":`, 400, "invalid_request"},
		{`{"email":"a@b.test"} {}`, 400, "invalid_request"},
		{`{"email":"a@b.test","extra":1}`, 400, "invalid_request"},
		{`{"email":"nope"}`, 422, "invalid_request"},
		// Control characters are refused at the edge, never sent on.
		{`{"email":"a\u0000@b.test"}`, 422, "invalid_request"},
		{`{"email":"a@b.test\r\nBcc: x"}`, 422, "invalid_request"},
		{`{"email":"a\tb@b.test"}`, 422, "invalid_request"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/v1/x", strings.NewReader(tc.body)))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.code) {
			t.Errorf("%s: %d %s, want %d %s", tc.body, rec.Code, rec.Body, tc.status, tc.code)
		}
		if tc.code != "" && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: content type %s", tc.body, rec.Header().Get("Content-Type"))
		}
	}
}
