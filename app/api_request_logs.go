package app

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"mailvet/requestlog"
)

// handleAPIRequestLogs pages through the workspace's logged API requests,
// newest first; ?request_id= finds the one an X-Request-Id named.
func (s *Server) handleAPIRequestLogs(w http.ResponseWriter, r *http.Request) {
	f, err := requestLogFilter(r.URL.Query())
	if err == nil {
		f.Limit, err = queryLimit(r.URL.Query(), 100)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	page, err := s.RequestLogs.List(r.Context(), apiFrom(r.Context()).tenant.ID, f, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// requestLogFilter reads the filters the API and the API logs page share:
// request_id, api_key (an id or a prefix), status (404, or a class: 4xx),
// route (a pattern, "POST /v1/verify"), since, until and cursor.
func requestLogFilter(q url.Values) (requestlog.Filter, error) {
	f := requestlog.Filter{RequestID: strings.TrimSpace(q.Get("request_id")), Route: strings.TrimSpace(q.Get("route")), Cursor: q.Get("cursor")}
	if key := strings.TrimSpace(q.Get("api_key")); key != "" {
		if id, err := uuid.Parse(key); err == nil {
			f.KeyID = id
		} else if strings.HasPrefix(key, "mv_") {
			f.KeyPrefix = key
		} else {
			return f, badRequest("api_key", "api_key: use a key's id or its prefix (mv_live_…, mv_test_…).")
		}
	}
	var err error
	if f.StatusFrom, f.StatusTo, err = statusRange(strings.TrimSpace(q.Get("status"))); err != nil {
		return f, err
	}
	if f.Since, err = queryTime(q, "since"); err == nil {
		f.Until, err = queryTime(q, "until")
	}
	return f, err
}

// statusRange reads a status (404) or a class (4xx) as an inclusive range.
func statusRange(raw string) (from, to int, err error) {
	if raw == "" {
		return 0, 0, nil
	}
	if len(raw) == 3 && raw[0] >= '1' && raw[0] <= '5' && strings.EqualFold(raw[1:], "xx") {
		c := int(raw[0]-'0') * 100
		return c, c + 99, nil
	}
	n, convErr := strconv.Atoi(raw)
	if convErr != nil || n < 100 || n > 599 {
		return 0, 0, badRequest("status", "status: use a status such as 404, or a class such as 4xx.")
	}
	return n, n, nil
}
