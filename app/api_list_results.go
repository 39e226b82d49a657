package app

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"

	"mailvet/lists"
	"mailvet/verify"
)

func (s *Server) handleAPIListResults(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.handleAPINotFound(w, r)
		return
	}
	q := r.URL.Query()
	status, reason, problem := resultFilter(q)
	if problem != "" {
		s.apiError(w, r, badRequest("filter", problem))
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := s.Lists.Results(r.Context(), apiFrom(r.Context()).tenant.ID, id, status, reason, q.Get("cursor"), cmpOr(limit, 100), s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) handleAPIListExport(w http.ResponseWriter, r *http.Request) {
	s.streamListCSV(w, r, apiFrom(r.Context()).tenant.ID, "")
}

// handleAPIListDuplicates and handleAPIListSkipped are the export of
// those rows under the paths they had before export took ?rows=.
func (s *Server) handleAPIListDuplicates(w http.ResponseWriter, r *http.Request) {
	s.streamListCSV(w, r, apiFrom(r.Context()).tenant.ID, lists.RowsDuplicates)
}

func (s *Server) handleAPIListSkipped(w http.ResponseWriter, r *http.Request) {
	s.streamListCSV(w, r, apiFrom(r.Context()).tenant.ID, lists.RowsSkipped)
}

// streamListCSV streams a list's export, named "<list>-<rows>.csv". The
// query chooses the rows (?rows=all|unique|duplicates|skipped, all by
// default) and a status (?status=deliverable…); rows, when set, is fixed
// by the route.
func (s *Server) streamListCSV(w http.ResponseWriter, r *http.Request, tenantID uuid.UUID, rows string) {
	id, ok := listID(r)
	if !ok {
		s.fail(w, r, lists.ErrNotFound)
		return
	}
	q := r.URL.Query()
	opts := lists.ExportOptions{Rows: cmp.Or(rows, q.Get("rows")), Status: q.Get("status")}
	if err := opts.Validate(); err != nil {
		s.fail(w, r, badRequest("rows", "rows must be all, unique, duplicates or skipped; status deliverable, undeliverable, risky or unknown."))
		return
	}
	l, err := s.Lists.Get(r.Context(), tenantID, id, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(l.Name)+"-"+opts.FileSuffix()+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Lists.Export(r.Context(), tenantID, id, opts, s.actor(r), w); err != nil {
		s.Log.Error("export list", "request_id", infoFrom(r.Context()).ID, "list", id, "err", err)
	}
}

// resultFilter reads the status and reason filters of results and exports
// ("" for all). An unknown value is refused, not silently matched by
// nothing.
func resultFilter(q url.Values) (status, reason, problem string) {
	status, reason = q.Get("status"), q.Get("reason")
	if status != "" && !verify.Status(status).Known() {
		return "", "", "status must be deliverable, undeliverable, risky or unknown."
	}
	if reason != "" && !verify.Reason(reason).Known() {
		return "", "", "reason " + strconv.Quote(reason) + " is not a reason mailvet gives; see the reasons in the API documentation."
	}
	return status, reason, ""
}

func safeFileName(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			out = append(out, c)
		case c == ' ' || c == '.':
			out = append(out, '-')
		}
	}
	if len(out) == 0 {
		return "list"
	}
	return string(out)
}
