package app

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"mailvet/lists"
	"mailvet/schedules"
	"mailvet/views"
)

// scheduleForm is the list page's schedule form; the domain judges it.
type scheduleForm struct {
	Every    string `form:"every"`
	Cron     string `form:"cron"`
	TimeZone string `form:"time_zone"`
	Paused   string `form:"paused"`
}

// trendRuns is how many of the latest runs the trend chart shows.
const trendRuns = 24

// listSchedule is the re-validation card of list l: its schedule (f
// when a refused form is shown again), its runs and their trend.
func (s *Server) listSchedule(r *http.Request, l lists.List, f views.Form) (views.ListSchedule, error) {
	pc := pageFrom(r.Context())
	v := views.ListSchedule{Form: f, CanManage: pc.role.CanManage(), CanRun: l.Status == lists.StatusCompleted}
	sc, err := s.Schedules.Get(r.Context(), pc.tenant.ID, l.ID, s.actor(r))
	switch {
	case err == nil:
		v.Set, v.Every, v.Cron, v.TimeZone, v.Paused, v.NextRun = true, sc.Every, sc.Cron, sc.TimeZone, sc.Paused, formatTimePtr(sc.NextRunAt, "")
	case !errors.Is(err, schedules.ErrNotFound):
		return v, err
	}
	if v.Form.Values == nil {
		v.Form.Values = map[string]string{"every": "monthly", "time_zone": pc.tenant.TimeZone}
		if v.Set {
			v.Form.Values = map[string]string{"every": sc.Every, "time_zone": sc.TimeZone}
			if sc.Every == "cron" {
				v.Form.Values["cron"] = sc.Cron
			}
			if sc.Paused {
				v.Form.Values["paused"] = "1"
			}
		}
	}
	page, err := s.Schedules.Runs(r.Context(), pc.tenant.ID, l.ID, "", trendRuns, s.actor(r))
	if err != nil {
		return v, err
	}
	var cols []views.ChartColumn
	for _, run := range page.Runs {
		row := runRow(run)
		v.Runs = append(v.Runs, row)
		v.Active = v.Active || !run.Finished()
		if run.Status == schedules.RunCompleted {
			share := int(run.Counts.DeliverableShare()*100 + 0.5)
			cols = append(cols, views.ChartColumn{Label: run.CreatedAt.UTC().Format("2 Jan"), Values: []int{share},
				Tip: fmt.Sprintf("%s: %s deliverable (%s of %s)", formatTime(run.CreatedAt), row.Share,
					views.Thousands(run.Counts.Deliverable), views.Thousands(run.Checked))})
		}
	}
	slices.Reverse(cols) // oldest first
	if len(cols) > 0 {
		v.HasTrend = true
		v.Trend = views.NewBarChart(views.BarChartInput{ID: "trend-chart", Title: "Deliverable share by run",
			Desc:   "The share of the list's unique addresses that were deliverable after each completed run, oldest first.",
			Layers: []views.ChartLayer{{Name: "Deliverable", Class: "bar-deliverable"}}, Cols: cols, Suffix: "%"})
	}
	return v, nil
}

// handleListRuns is the HTMX partial of a list's runs, which refreshes
// itself while one is queued or running.
func (s *Server) handleListRuns(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	l, err := s.Lists.Get(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.listSchedule(r, l, views.Form{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, views.ListRuns(l.ID.String(), v))
}

// runRow is a run as the pages show it.
func runRow(run schedules.Run) views.RunRow {
	row := views.RunRow{ID: run.ID.String(), When: formatTime(run.CreatedAt), Trigger: run.Trigger, Status: run.Status,
		Checked: run.Checked, Changed: run.Changed, Cancellable: !run.Finished()}
	if run.Status == schedules.RunCompleted {
		row.Share = fmt.Sprintf("%.1f%%", run.Counts.DeliverableShare()*100)
	}
	if run.FailureReason != nil {
		row.Failure = *run.FailureReason
	}
	return row
}

// handleListSchedulePut saves the schedule form; a refusal is shown next
// to its field and changes nothing.
func (s *Server) handleListSchedulePut(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	var in scheduleForm
	f, _, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f.Values["paused"] = in.Paused
	_, err = s.Schedules.Put(r.Context(), pageFrom(r.Context()).tenant.ID, id,
		schedules.Input{Every: in.Every, Cron: in.Cron, TimeZone: in.TimeZone, Paused: in.Paused != ""}, s.actor(r))
	if err != nil {
		s.listFormError(w, r, f, err)
		return
	}
	s.flash(w, r, "Schedule saved.")
	s.redirect(w, r, "/lists/"+id.String()+"#list-schedule")
}

// listFormError shows a refusal of the re-validation card on the list's
// page again (next to its field, or at the top of the card); anything
// else is an error page.
func (s *Server) listFormError(w http.ResponseWriter, r *http.Request, f views.Form, err error) {
	if code, shown := s.formError(w, &f, err); shown {
		s.renderListPage(w, r, code, f)
		return
	}
	s.fail(w, r, err)
}

func (s *Server) handleListScheduleDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	if err := s.Schedules.Delete(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil && !errors.Is(err, schedules.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Schedule removed. Past runs stay in the history.")
	// No #fragment: HTMX's redirect to the same page with one would only
	// scroll, not load the page again.
	s.redirect(w, r, "/lists/"+id.String())
}

func (s *Server) handleListRunNow(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	if _, err := s.Schedules.RunNow(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.listFormError(w, r, views.Form{}, err)
		return
	}
	s.flash(w, r, "Run queued: the list's unique addresses are being verified again.")
	s.redirect(w, r, "/lists/"+id.String()+"#list-schedule")
}

func (s *Server) handleListRunCancel(w http.ResponseWriter, r *http.Request) {
	listID, runID, err := runIDs(r)
	if err == nil {
		_, err = s.Schedules.Cancel(r.Context(), pageFrom(r.Context()).tenant.ID, listID, runID, s.actor(r))
	}
	if err != nil && !errors.Is(err, schedules.ErrRunFinished) {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Run cancelled. Addresses already checked keep their new verdicts.")
	s.redirect(w, r, "/lists/"+listID.String())
}

// pageRun reads the list and the run a page's path names, answering the
// error page itself when either is not found.
func (s *Server) pageRun(w http.ResponseWriter, r *http.Request) (lists.List, schedules.Run, bool) {
	pc := pageFrom(r.Context())
	listID, runID, err := runIDs(r)
	var l lists.List
	var run schedules.Run
	if err == nil {
		l, err = s.Lists.Get(r.Context(), pc.tenant.ID, listID, s.actor(r))
	}
	if err == nil {
		run, err = s.Schedules.GetRun(r.Context(), pc.tenant.ID, listID, runID, s.actor(r))
	}
	if err != nil {
		s.fail(w, r, err)
		return l, run, false
	}
	return l, run, true
}

// handleListRunPage is a run's decay report.
func (s *Server) handleListRunPage(w http.ResponseWriter, r *http.Request) {
	l, run, ok := s.pageRun(w, r)
	if !ok {
		return
	}
	page, err := s.Schedules.Changes(r.Context(), pageFrom(r.Context()).tenant.ID, l.ID, run.ID, "", r.URL.Query().Get("cursor"), 100, s.actor(r))
	if err != nil && !errors.Is(err, lists.ErrBadCursor) {
		s.fail(w, r, err)
		return
	}
	d := views.RunReport{ListID: l.ID.String(), ListName: l.Name, Run: runRow(run), Total: run.Total, Unconfirmed: run.Unconfirmed,
		Counts:     [4]int{run.Counts.Deliverable, run.Counts.Undeliverable, run.Counts.Risky, run.Counts.Unknown},
		NextCursor: page.Next}
	for _, t := range run.Transitions {
		d.Transitions = append(d.Transitions, views.RunTransition{From: t.From, To: t.To, Count: t.Count})
	}
	for _, c := range page.Changes {
		d.Changes = append(d.Changes, views.RunChange{Row: c.Row, Email: c.Email, OldStatus: c.OldStatus, NewStatus: c.NewStatus, NewReason: c.NewReason})
	}
	s.render(w, r, http.StatusOK, views.RunReportPage(s.page(w, r, "Run of "+l.Name, "lists"), d))
}

// handleListRunChangesCSV downloads a run's changed addresses.
func (s *Server) handleListRunChangesCSV(w http.ResponseWriter, r *http.Request) {
	l, run, ok := s.pageRun(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+safeFileName(l.Name)+`-changes.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := s.Schedules.ChangesCSV(r.Context(), pageFrom(r.Context()).tenant.ID, l.ID, run.ID, s.actor(r), w); err != nil {
		s.Log.Error("export run changes", "request_id", infoFrom(r.Context()).ID, "run", run.ID, "err", err)
	}
}
