package app

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes the JSON API as written; the server serves it
// with code samples and example problems added (openapi_samples.go). app/openapi_test.go checks
// it against real responses.
//
//go:embed openapi.yaml
var openAPIDocument []byte

// handleAPIOpenAPI serves the API's OpenAPI document, the one /docs
// renders. It is public: the documentation needs no key.
func (s *Server) handleAPIOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(s.openAPI)
}
