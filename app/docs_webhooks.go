package app

import (
	"net/http"

	"mailvet/views"
)

// handleDocsWebhooks shows the CRM webhooks integration guide. It is public:
// the engineer wiring a CRM often has no mailvet account of their own.
func (s *Server) handleDocsWebhooks(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, views.DocsWebhooksPage(s.page(w, r, "CRM webhooks guide", "")))
}
