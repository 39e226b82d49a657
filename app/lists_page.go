package app

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mailvet/lists"
	"mailvet/views"
)

func (s *Server) isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/v1/") }

func (s *Server) handleListsPage(w http.ResponseWriter, r *http.Request) {
	s.renderListsPage(w, r, http.StatusOK, views.Form{})
}

func (s *Server) renderListsPage(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	pc := pageFrom(r.Context())
	page, err := s.Lists.ListAll(r.Context(), pc.tenant.ID, r.URL.Query().Get("cursor"), 50, s.actor(r))
	if err != nil && !errors.Is(err, lists.ErrBadCursor) {
		s.fail(w, r, err)
		return
	}
	ix := views.ListsIndex{Form: f, MaxRows: s.Lists.Options().MaxRows, MaxSize: byteSize(s.UploadMaxBytes), NextCursor: page.Next}
	if s.Billing != nil {
		plan, err := s.Billing.PlanFor(r.Context(), pc.tenant.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		ix.MaxRows = min(ix.MaxRows, plan.MaxListRows)
	}
	for _, l := range page.Lists {
		ix.Lists = append(ix.Lists, listSummary(l))
	}
	s.render(w, r, status, views.ListsPage(s.page(w, r, "Lists", "lists"), ix))
}

// handleListUpload streams an uploaded file into a new list.
func (s *Server) handleListUpload(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	f := views.Form{Values: map[string]string{}, Errors: map[string]string{}}
	refused := func(err error) {
		status, shown := s.formError(w, &f, err)
		if !shown {
			s.fail(w, r, err)
			return
		}
		s.renderListsPage(w, r, status, f)
	}
	u, err := s.readMultipartUpload(w, r)
	if err != nil {
		refused(err)
		return
	}
	f.Values["name"], f.Values["dedupe"], f.Values["email_column"] = u.in.Name, u.in.Dedupe, u.in.EmailColumn
	if err := validateUpload(&u.in); err != nil {
		refused(err)
		return
	}
	u.in.TenantID, u.in.By, u.in.File = pc.tenant.ID, s.actor(r), u.part
	if s.Billing != nil {
		plan, err := s.Billing.PlanFor(r.Context(), pc.tenant.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		u.in.MaxRows = plan.MaxListRows
	}
	l, _, err := s.Lists.Create(r.Context(), u.in)
	if err != nil {
		refused(err)
		return
	}
	s.flash(w, r, fmt.Sprintf("“%s” uploaded: %d rows, %d to verify.", l.Name, l.TotalRows, l.UniqueRows))
	s.redirect(w, r, "/lists/"+l.ID.String())
}

func (s *Server) handleListPage(w http.ResponseWriter, r *http.Request) {
	s.renderListPage(w, r, http.StatusOK, views.Form{})
}

// renderListPage shows a list with f, the schedule form as sent (its
// values and errors) or empty for the schedule as it is.
func (s *Server) renderListPage(w http.ResponseWriter, r *http.Request, code int, f views.Form) {
	pc := pageFrom(r.Context())
	id, ok := listID(r)
	if !ok {
		s.fail(w, r, lists.ErrNotFound)
		return
	}
	l, err := s.Lists.Get(r.Context(), pc.tenant.ID, id, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	status, reason, problem := resultFilter(q)
	if problem != "" {
		s.fail(w, r, badRequest("filter", problem))
		return
	}
	page, err := s.Lists.Results(r.Context(), pc.tenant.ID, id, status, reason, q.Get("cursor"), 100, s.actor(r))
	if err != nil && !errors.Is(err, lists.ErrBadCursor) {
		s.fail(w, r, err)
		return
	}
	d := views.ListDetail{List: listSummary(l), Status: status, Reason: reason, NextCursor: page.Next, CanManage: pc.role.CanManage(),
		ExportQuery: url.Values{"status": {status}, "reason": {reason}}.Encode()}
	for _, res := range page.Results {
		row := views.ListResultRow{Row: res.Row, Email: res.Email, Status: res.Status, Reason: res.Reason, Score: res.Score}
		if res.Suggestion != nil {
			row.Suggestion = *res.Suggestion
		}
		d.Results = append(d.Results, row)
	}
	if d.Schedule, err = s.listSchedule(r, l, f); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, code, views.ListPage(s.page(w, r, l.Name, "lists"), d))
}

// handleListProgress is the HTMX partial that refreshes itself.
func (s *Server) handleListProgress(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.fail(w, r, lists.ErrNotFound)
		return
	}
	l, err := s.Lists.Get(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ListProgress(listSummary(l)))
}

func (s *Server) handleListCancel(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.fail(w, r, lists.ErrNotFound)
		return
	}
	if _, err := s.Lists.Cancel(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil && !errors.Is(err, lists.ErrFinished) {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Verification cancelled. Rows already verified keep their results.")
	s.redirect(w, r, "/lists/"+id.String())
}

func (s *Server) handleListDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.fail(w, r, lists.ErrNotFound)
		return
	}
	if err := s.Lists.Delete(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "List deleted.")
	s.redirect(w, r, "/lists")
}

// handleListDownload is the page's export: the same CSV as the API's, the
// rows chosen by ?rows= and ?status=.
func (s *Server) handleListDownload(w http.ResponseWriter, r *http.Request) {
	s.streamListCSV(w, r, pageFrom(r.Context()).tenant.ID, "")
}

func listSummary(l lists.List) views.ListSummary {
	now := time.Now()
	v := views.ListSummary{
		ID: l.ID.String(), Name: l.Name, Status: l.Status, Created: formatTime(l.CreatedAt),
		TotalRows: l.TotalRows, UniqueRows: l.UniqueRows, DuplicateRows: l.DuplicateRows, SkippedRows: l.SkippedRows,
		ProcessedRows: l.ProcessedRows, Progress: l.Progress(), Deliverable: l.Deliverable, Undeliverable: l.Undeliverable,
		Risky: l.Risky, Unknown: l.Unknown, Finished: l.Finished(), CanCancel: !l.Finished(), DeferredRows: l.DeferredRows,
	}
	if l.NextRetryAt != nil {
		v.NextRetry = retryTime(*l.NextRetryAt, now)
	}
	if rate := l.Rate(now); rate > 0 {
		v.Rate = formatRate(rate)
	}
	if l.Finished() {
		return v
	}
	switch eta, ok := l.ETA(now); {
	case ok:
		v.ETA = timeLeft(eta)
	case l.ActiveRows() > 0 && l.Status == lists.StatusRunning:
		v.ETA = "estimating time left…"
	}
	return v
}

// retryTime is when deferred rows are asked again: the time of day (as
// formatTime, in UTC) when that is today, the full date otherwise.
func retryTime(at, now time.Time) string {
	at, now = at.UTC(), now.UTC()
	if at.YearDay() == now.YearDay() && at.Year() == now.Year() {
		return at.Format("15:04 UTC")
	}
	return formatTime(at)
}

func formatRate(perSecond float64) string {
	if perSecond < 10 {
		return fmt.Sprintf("%.1f rows/s", perSecond)
	}
	return fmt.Sprintf("%.0f rows/s", perSecond)
}

// timeLeft says an estimate the way people read one: rounded, never to the
// second, which would promise a precision the rate does not have.
func timeLeft(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute left"
	case d < time.Hour:
		return fmt.Sprintf("about %d min left", int(d.Round(time.Minute).Minutes()))
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("about %d h %d min left", int(d.Hours()), int(d.Minutes())%60)
	}
}
