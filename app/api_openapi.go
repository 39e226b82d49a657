package app

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes the JSON API; app/openapi_test.go checks it
// against real responses.
//
//go:embed openapi.yaml
var openAPIDocument []byte

// handleAPIOpenAPI serves the API's OpenAPI document. It is public: the
// documentation needs no key.
func (s *Server) handleAPIOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
}
