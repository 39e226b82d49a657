package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mailvet/billing"
	"mailvet/lists"
	"mailvet/views"
)

func (s *Server) isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/v1/") }

func (s *Server) handleListsPage(w http.ResponseWriter, r *http.Request) {
	s.renderListsPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) renderListsPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	pc := pageFrom(r.Context())
	page, err := s.Lists.ListAll(r.Context(), pc.tenant.ID, r.URL.Query().Get("cursor"), 50)
	if err != nil && !errors.Is(err, lists.ErrBadCursor) {
		s.serverError(w, r, err)
		return
	}
	ix := views.ListsIndex{Form: f, MaxRows: s.Lists.Options().MaxRows, MaxMB: int(s.UploadMaxBytes >> 20), NextCursor: page.Next}
	for _, l := range page.Lists {
		ix.Lists = append(ix.Lists, listSummary(l))
	}
	s.render(w, r, status, views.ListsPage(s.page(w, r, "Lists", "lists"), ix))
}

// handleListUpload streams an uploaded file into a new list.
func (s *Server) handleListUpload(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	f := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	u, err := s.readMultipartUpload(w, r)
	if err != nil {
		if _, _, msg := s.uploadError(err); msg != "" {
			f.Errors["file"] = msg
		} else {
			f.Errors["file"] = "Choose a file to upload."
		}
		s.renderListsPage(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	f.Values["name"], f.Values["dedupe"], f.Values["email_column"] = u.in.Name, u.in.Dedupe, u.in.EmailColumn
	if field, msg := validateUpload(&u.in); field != "" {
		f.Errors[field] = msg
		s.renderListsPage(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	u.in.TenantID, u.in.CreatedBy, u.in.File = pc.tenant.ID, pc.user.ID, u.part
	if s.Billing != nil {
		plan, err := s.Billing.PlanFor(r.Context(), pc.tenant.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		u.in.MaxRows = plan.MaxListRows
	}
	l, _, err := s.Lists.Create(r.Context(), u.in)
	var exceeded *billing.ExceededError
	if errors.As(err, &exceeded) {
		f.Errors["file"] = "This list does not fit your plan's quota: it " + exceeded.Error() + ". Nothing was stored."
		s.renderListsPage(w, r, http.StatusTooManyRequests, f)
		return
	}
	if err != nil {
		status, _, msg := s.uploadError(err)
		if status == 0 {
			s.serverError(w, r, err)
			return
		}
		f.Errors["file"] = msg
		s.renderListsPage(w, r, status, f)
		return
	}
	s.flash(w, r, fmt.Sprintf("“%s” uploaded: %d rows, %d to verify.", l.Name, l.TotalRows, l.UniqueRows))
	s.redirect(w, r, "/lists/"+l.ID.String())
}

func (s *Server) handleListPage(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	id, ok := listID(r)
	if !ok {
		s.handlePageNotFound(w, r)
		return
	}
	l, err := s.Lists.Get(r.Context(), pc.tenant.ID, id)
	if err != nil {
		s.listPageError(w, r, err)
		return
	}
	q := r.URL.Query()
	page, err := s.Lists.Results(r.Context(), pc.tenant.ID, id, q.Get("status"), q.Get("reason"), q.Get("cursor"), 100)
	if err != nil && !errors.Is(err, lists.ErrBadCursor) {
		s.serverError(w, r, err)
		return
	}
	d := views.ListDetail{List: listSummary(l), Status: q.Get("status"), Reason: q.Get("reason"), NextCursor: page.Next, CanManage: pc.role.CanManage(),
		ExportQuery: url.Values{"status": {q.Get("status")}, "reason": {q.Get("reason")}}.Encode()}
	for _, res := range page.Results {
		row := views.ListResultRow{Row: res.Row, Email: res.Email, Status: res.Status, Reason: res.Reason, Score: res.Score}
		if res.Suggestion != nil {
			row.Suggestion = *res.Suggestion
		}
		d.Results = append(d.Results, row)
	}
	s.render(w, r, http.StatusOK, views.ListPage(s.page(w, r, l.Name, "lists"), d))
}

// handleListProgress is the HTMX partial that refreshes itself.
func (s *Server) handleListProgress(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.handlePageNotFound(w, r)
		return
	}
	l, err := s.Lists.Get(r.Context(), pageFrom(r.Context()).tenant.ID, id)
	if err != nil {
		s.listPageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ListProgress(listSummary(l)))
}

func (s *Server) handleListCancel(w http.ResponseWriter, r *http.Request) {
	if !s.requireManager(w, r) {
		return
	}
	id, ok := listID(r)
	if !ok {
		s.handlePageNotFound(w, r)
		return
	}
	if _, err := s.Lists.Cancel(r.Context(), pageFrom(r.Context()).tenant.ID, id); err != nil && !errors.Is(err, lists.ErrFinished) {
		s.listPageError(w, r, err)
		return
	}
	s.flash(w, r, "Verification cancelled. Rows already verified keep their results.")
	s.redirect(w, r, "/lists/"+id.String())
}

func (s *Server) handleListDelete(w http.ResponseWriter, r *http.Request) {
	if !s.requireManager(w, r) {
		return
	}
	id, ok := listID(r)
	if !ok {
		s.handlePageNotFound(w, r)
		return
	}
	if err := s.Lists.Delete(r.Context(), pageFrom(r.Context()).tenant.ID, id); err != nil {
		s.listPageError(w, r, err)
		return
	}
	s.flash(w, r, "List deleted.")
	s.redirect(w, r, "/lists")
}

func (s *Server) handleListDownload(state string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.streamListCSV(w, r, pageFrom(r.Context()).tenant.ID, state)
	}
}

func (s *Server) listPageError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, lists.ErrNotFound) {
		s.renderError(w, r, http.StatusNotFound, "List not found", "There is no such list in this workspace.")
		return
	}
	s.serverError(w, r, err)
}

func listSummary(l lists.List) views.ListSummary {
	now := time.Now()
	v := views.ListSummary{
		ID: l.ID.String(), Name: l.Name, Status: l.Status, Created: formatTime(l.CreatedAt),
		TotalRows: l.TotalRows, UniqueRows: l.UniqueRows, DuplicateRows: l.DuplicateRows, SkippedRows: l.SkippedRows,
		ProcessedRows: l.ProcessedRows, Progress: l.Progress(), Deliverable: l.Deliverable, Undeliverable: l.Undeliverable,
		Risky: l.Risky, Unknown: l.Unknown, Finished: l.Finished(), CanCancel: !l.Finished(),
	}
	if rate := l.Rate(now); rate > 0 {
		v.Rate = fmt.Sprintf("%.0f rows/s", rate)
	}
	if eta := l.ETA(now); eta > 0 {
		v.ETA = "about " + eta.Round(time.Second).String()
	}
	return v
}
