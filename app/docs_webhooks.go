package app

import (
	"cmp"
	"encoding/json"
	"maps"
	"net/http"
	"slices"

	"mailvet/views"
	"mailvet/webhooks"
)

// handleDocsWebhooks shows the CRM webhooks integration guide. It is public:
// the engineer wiring a CRM often has no mailvet account of their own.
func (s *Server) handleDocsWebhooks(w http.ResponseWriter, r *http.Request) {
	d, err := docsWebhooks()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.DocsWebhooksPage(s.page(w, r, "CRM webhooks guide", ""), d))
}

// docsWebhooks takes the guide's event types, example body and rotation
// overlaps from the webhooks package, so the guide says what is sent.
func docsWebhooks() (views.DocsWebhooks, error) {
	var d views.DocsWebhooks
	for _, t := range webhooks.Types() {
		d.EventTypes = append(d.EventTypes, views.DocsEventType{Name: t.Name, Summary: t.Summary})
		if t.Name != webhooks.ListCompleted {
			continue
		}
		// The envelope's fields as webhooks.Record writes them.
		body, err := json.MarshalIndent(struct {
			ID        string `json:"id"`
			Type      string `json:"type"`
			CreatedAt string `json:"created_at"`
			Data      any    `json:"data"`
		}{"evt_019ad7e5c2a07b3e9f41d6a8c0b2e5f7", t.Name, "2026-12-02T08:00:00.123456Z", t.Example}, "", "  ")
		if err != nil {
			return d, err
		}
		d.Payload = string(body)
	}
	overlaps := webhooks.Overlaps()
	d.Overlaps = slices.SortedFunc(maps.Keys(overlaps), func(a, b string) int { return cmp.Compare(overlaps[a], overlaps[b]) })
	return d, nil
}
