package app

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mailvet/lists"
	"mailvet/tenants"
)

// listJSON is a list in the API.
type listJSON struct {
	lists.List
	// 1-based, as uploads name it (the store keeps a 0-based index).
	EmailColumn   int          `json:"email_column"`
	Progress      float64      `json:"progress"`
	Counts        lists.Counts `json:"counts"`
	RatePerSecond float64      `json:"rate_per_second"`
	ETASeconds    int          `json:"eta_seconds"`
}

func toListJSON(l lists.List) listJSON {
	now := time.Now()
	return listJSON{List: l, EmailColumn: l.EmailColumn + 1, Progress: l.Progress(), Counts: l.Counts(), RatePerSecond: l.Rate(now), ETASeconds: int(l.ETA(now).Seconds())}
}

type jsonListRequest struct {
	Name   string   `json:"name" validate:"max=200"`
	Emails []string `json:"emails" validate:"required,min=1"`
	Dedupe string   `json:"dedupe"`
}

// handleAPIListCreate takes a multipart `file` (options before it) or
// JSON {"name", "emails": [...]}, honouring Idempotency-Key.
func (s *Server) handleAPIListCreate(w http.ResponseWriter, r *http.Request) {
	ac := apiFrom(r.Context())
	var in lists.NewList
	var file io.Reader
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		u, err := s.readMultipartUpload(w, r)
		if err != nil {
			if status, code, msg := s.uploadError(err); status != 0 {
				writeProblem(w, r, status, code, "Upload refused", msg)
				return
			}
			writeProblem(w, r, http.StatusBadRequest, "invalid_request", "Invalid upload", err.Error())
			return
		}
		in, file = u.in, u.part
	} else {
		r.Body = http.MaxBytesReader(w, r.Body, s.UploadMaxBytes)
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			status, code, msg := s.uploadError(err)
			if status == 0 {
				status, code, msg = http.StatusBadRequest, "invalid_request", err.Error()
			}
			writeProblem(w, r, status, code, "Upload refused", msg)
			return
		}
		var req jsonListRequest
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeProblem(w, r, http.StatusBadRequest, "invalid_request", "Invalid JSON", "The body is not valid JSON for this endpoint: "+err.Error())
			return
		}
		if err := s.validate.Struct(req); err != nil {
			writeProblem(w, r, http.StatusUnprocessableEntity, "invalid_request", "Invalid request", describeValidation(err)+" Send a multipart `file` or JSON `emails`.")
			return
		}
		sum := sha256.Sum256(raw)
		in = lists.NewList{Name: req.Name, Emails: req.Emails, Dedupe: req.Dedupe, RequestHash: sum[:]}
	}
	if field, msg := validateUpload(&in); field != "" {
		writeProblem(w, r, http.StatusUnprocessableEntity, "invalid_request", "Invalid request", field+": "+msg)
		return
	}
	in.TenantID, in.APIKeyID, in.File = ac.tenant.ID, ac.key.ID, file
	in.TestMode, in.KeyLimits = ac.key.Mode == tenants.ModeTest, keyLimits(ac.key)
	if ac.plan != nil {
		in.MaxRows = ac.plan.MaxListRows
	}
	in.IdempotencyKey = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(in.IdempotencyKey) > 200 {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", "Invalid Idempotency-Key", "Idempotency-Key must be at most 200 characters.")
		return
	}
	l, existing, err := s.Lists.Create(r.Context(), in)
	if s.quotaRefused(w, r, err) {
		return
	}
	if err != nil {
		if status, code, msg := s.uploadError(err); status != 0 {
			writeProblem(w, r, status, code, "Upload refused", msg)
			return
		}
		s.serverError(w, r, err)
		return
	}
	status := http.StatusCreated
	if existing {
		status = http.StatusOK
		w.Header().Set("Idempotent-Replayed", "true")
	}
	s.quotaHeaders(w, r, nil)
	w.Header().Set("Location", "/v1/lists/"+l.ID.String())
	writeJSON(w, status, toListJSON(l))
}

func (s *Server) handleAPIListIndex(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := s.Lists.ListAll(r.Context(), apiFrom(r.Context()).tenant.ID, r.URL.Query().Get("cursor"), cmpOr(limit, 50))
	if errors.Is(err, lists.ErrBadCursor) {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", "Invalid cursor", "Use the next_cursor of a previous page.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	out := struct {
		Lists []listJSON `json:"lists"`
		Next  string     `json:"next_cursor,omitempty"`
	}{Lists: []listJSON{}, Next: page.Next}
	for _, l := range page.Lists {
		out.Lists = append(out.Lists, toListJSON(l))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleAPIListGet(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.handleAPINotFound(w, r)
		return
	}
	l, err := s.Lists.Get(r.Context(), apiFrom(r.Context()).tenant.ID, id)
	if s.apiListError(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, toListJSON(l))
}

func (s *Server) handleAPIListCancel(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.handleAPINotFound(w, r)
		return
	}
	l, err := s.Lists.Cancel(r.Context(), apiFrom(r.Context()).tenant.ID, id)
	if s.apiListError(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, toListJSON(l))
}

func (s *Server) handleAPIListDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := listID(r)
	if !ok {
		s.handleAPINotFound(w, r)
		return
	}
	if s.apiListError(w, r, s.Lists.Delete(r.Context(), apiFrom(r.Context()).tenant.ID, id)) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// apiListError answers list errors; false means there was none.
func (s *Server) apiListError(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, lists.ErrNotFound):
		writeProblem(w, r, http.StatusNotFound, "not_found", "Not found", "No list with this id.")
	case errors.Is(err, lists.ErrFinished):
		writeProblem(w, r, http.StatusConflict, "list_finished", "List finished", "The list has already finished; there is nothing to cancel.")
	case errors.Is(err, lists.ErrBadCursor):
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", "Invalid cursor", "Use the next_cursor of a previous page.")
	default:
		s.serverError(w, r, err)
	}
	return true
}

func cmpOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
