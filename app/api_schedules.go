package app

import (
	"context"
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/lists"
	"mailvet/schedules"
)

// scheduleRequest is PUT /v1/lists/{id}/schedule. The domain judges every
// field (the expression, the zone, the plan's minimum interval), so the
// edge only decodes them.
type scheduleRequest struct {
	Every    string `json:"every"`
	Cron     string `json:"cron"`
	TimeZone string `json:"time_zone"`
	Paused   bool   `json:"paused"`
}

// runIDs reads {id} and {run}; a malformed one is not found, like
// another tenant's.
func runIDs(r *http.Request) (uuid.UUID, uuid.UUID, error) {
	id, ok := listID(r)
	if !ok {
		return uuid.Nil, uuid.Nil, lists.ErrNotFound
	}
	run, err := uuid.Parse(r.PathValue("run"))
	if err != nil {
		return uuid.Nil, uuid.Nil, schedules.ErrRunNotFound
	}
	return id, run, nil
}

// listOr404 reads {id}, answering not found itself when it is malformed.
func (s *Server) listOr404(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	id, ok := listID(r)
	if !ok {
		s.fail(w, r, lists.ErrNotFound)
	}
	return id, ok
}

func (s *Server) handleAPIScheduleGet(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	sc, err := s.Schedules.Get(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

func (s *Server) handleAPISchedulePut(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	var req scheduleRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	sc, err := s.Schedules.Put(r.Context(), apiFrom(r.Context()).tenant.ID, id,
		schedules.Input{Every: req.Every, Cron: req.Cron, TimeZone: req.TimeZone, Paused: req.Paused}, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sc)
}

func (s *Server) handleAPIScheduleDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	if err := s.Schedules.Delete(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleAPIRuns(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := s.Schedules.Runs(r.Context(), apiFrom(r.Context()).tenant.ID, id, r.URL.Query().Get("cursor"), cmpOr(limit, 50), s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// handleAPIRunCreate runs the list now: 202 with the queued run.
func (s *Server) handleAPIRunCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := s.listOr404(w, r)
	if !ok {
		return
	}
	run, err := s.Schedules.RunNow(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/lists/"+id.String()+"/runs/"+run.ID.String())
	writeJSON(w, http.StatusAccepted, run)
}

func (s *Server) handleAPIRunGet(w http.ResponseWriter, r *http.Request) {
	s.apiRun(w, r, s.Schedules.GetRun)
}

func (s *Server) handleAPIRunCancel(w http.ResponseWriter, r *http.Request) {
	s.apiRun(w, r, s.Schedules.Cancel)
}

// apiRun answers one run of {id} by {run} that do gives: reading it or
// cancelling it.
func (s *Server) apiRun(w http.ResponseWriter, r *http.Request,
	do func(ctx context.Context, tenantID, listID, runID uuid.UUID, by actor.Actor) (schedules.Run, error)) {
	listID, runID, err := runIDs(r)
	if err == nil {
		var run schedules.Run
		if run, err = do(r.Context(), apiFrom(r.Context()).tenant.ID, listID, runID, s.actor(r)); err == nil {
			writeJSON(w, http.StatusOK, run)
			return
		}
	}
	s.apiError(w, r, err)
}

// handleAPIRunChanges pages a run's changed addresses (?status= keeps
// those that became it).
func (s *Server) handleAPIRunChanges(w http.ResponseWriter, r *http.Request) {
	listID, runID, err := runIDs(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	status, _, problem := resultFilter(q)
	if problem != "" {
		s.apiError(w, r, badRequest("status", problem))
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	page, err := s.Schedules.Changes(r.Context(), apiFrom(r.Context()).tenant.ID, listID, runID, status, q.Get("cursor"), cmpOr(limit, 100), s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}
