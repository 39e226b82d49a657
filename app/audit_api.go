package app

import (
	"net/http"
	"net/url"
	"time"

	"mailvet/audit"
)

// auditFilter reads the audit log's filters, the same for the API, the
// viewers and their exports: action, actor, target, since, until, q, and
// the page's cursor and limit.
func auditFilter(q url.Values) (audit.Filter, error) {
	f := audit.Filter{Actor: q.Get("actor"), Action: q.Get("action"), Target: q.Get("target"), Q: q.Get("q"), Cursor: q.Get("cursor"),
		Tenant: q.Get("tenant")} // the platform's log only; a tenant's ignores it
	var err error
	if f.Since, err = auditTime(q, "since", false); err != nil {
		return f, err
	}
	if f.Until, err = auditTime(q, "until", true); err != nil {
		return f, err
	}
	f.Limit, err = queryLimit(q, 500)
	return f, err
}

// auditTime reads an RFC 3339 date-time, or a date (what a page's date
// field sends): since a day is from its start, until a day is to its end,
// in UTC, so that since=until=one day is that day.
func auditTime(q url.Values, name string, end bool) (*time.Time, error) {
	raw := q.Get(name)
	if raw == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, raw); err == nil {
		return &t, nil
	}
	t, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		return nil, badRequest(name, name+": use an RFC 3339 date-time, like 2026-11-24T10:00:00Z, or a date, like 2026-11-24.")
	}
	if end {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}

// auditPage is a page of the API's audit log.
type auditPage struct {
	Events []audit.Event `json:"audit_events"`
	Next   string        `json:"next_cursor,omitempty"`
}

// handleAPIAuditEvents pages through the workspace's audit log, newest
// first, with the viewer's filters.
func (s *Server) handleAPIAuditEvents(w http.ResponseWriter, r *http.Request) {
	f, err := auditFilter(r.URL.Query())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	page, err := s.Audit.Events(r.Context(), apiFrom(r.Context()).tenant.ID, f, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := auditPage{Events: page.Events, Next: page.Next}
	if out.Events == nil {
		out.Events = []audit.Event{}
	}
	writeJSON(w, http.StatusOK, out)
}
