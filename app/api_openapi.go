package app

import (
	_ "embed"
	"fmt"
	"net/http"
	"sync"
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
	doc, err := s.openAPI.get()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, _ = w.Write(doc)
}

// openAPIOnce builds the served document once, on the first request
// rather than in New: it takes tens of milliseconds (a second under the
// race detector), which every server a test starts would pay, and the
// TestOpenAPI… tests build it anyway.
type openAPIOnce struct {
	once sync.Once
	doc  []byte
	err  error
}

func (o *openAPIOnce) get() ([]byte, error) {
	o.once.Do(func() {
		o.doc, o.err = servedOpenAPI(openAPIDocument)
		if o.err != nil {
			o.err = fmt.Errorf("openapi.yaml: %w", o.err)
		}
	})
	return o.doc, o.err
}
