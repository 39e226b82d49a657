package app

import (
	"net/http"

	"mailvet/views"
)

// docsCSP is the Content-Security-Policy of /docs, the one page that runs
// Redoc. Redoc is a React application that styles itself with injected
// <style> elements and runs its search index in a worker made from a
// blob: URL; the rest of the site refuses both. Everything else stays as
// strict: scripts from this origin alone, the document fetched from this
// origin (connect-src), no fonts or images from any other host.
const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'self'"

// handleDocsAPI shows the API reference, rendered from the OpenAPI
// document. It is public: integrators read it before they have a key.
func (s *Server) handleDocsAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", docsCSP)
	s.render(w, r, http.StatusOK, views.DocsAPIPage(s.page(w, r, "API reference", "docs"), "/v1/openapi.yaml"))
}
