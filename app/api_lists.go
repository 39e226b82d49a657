package app

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mailvet/lists"
)

// listJSON is a list in the API.
type listJSON struct {
	lists.List
	// 1-based, as uploads name it (the store keeps a 0-based index).
	EmailColumn   int          `json:"email_column"`
	Progress      float64      `json:"progress"`
	Counts        lists.Counts `json:"counts"`
	RatePerSecond float64      `json:"rate_per_second"`
	// ETASeconds is null while no estimate is meaningful (lists.List.ETA),
	// so a client never mistakes "not known yet" for "done".
	ETASeconds *int `json:"eta_seconds"`
}

func toListJSON(l lists.List) listJSON {
	now := time.Now()
	out := listJSON{List: l, EmailColumn: l.EmailColumn + 1, Progress: l.Progress(), Counts: l.Counts(), RatePerSecond: l.Rate(now)}
	if eta, ok := l.ETA(now); ok {
		secs := int(eta.Seconds())
		out.ETASeconds = &secs
	}
	return out
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
			s.apiError(w, r, err)
			return
		}
		in, file = u.in, u.part
	} else {
		var err error
		if in, err = s.jsonList(w, r); err != nil {
			s.apiError(w, r, err)
			return
		}
	}
	if err := validateUpload(&in); err != nil {
		s.apiError(w, r, err)
		return
	}
	// The key's actor decides the list's mode: a test key's list is a
	// test-mode list, seen only by test keys.
	in.TenantID, in.By, in.File, in.KeyLimits = ac.tenant.ID, s.actor(r), file, keyLimits(ac.key)
	if ac.plan != nil {
		in.MaxRows = ac.plan.MaxListRows
	}
	in.IdempotencyKey = strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	if len(in.IdempotencyKey) > 200 || checkText("Idempotency-Key", in.IdempotencyKey) != nil {
		s.apiError(w, r, badRequest("Idempotency-Key", "Idempotency-Key must be at most 200 visible characters."))
		return
	}
	l, existing, err := s.Lists.Create(r.Context(), in)
	if err != nil {
		s.apiError(w, r, err)
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

// jsonList reads a JSON list body, hashing it for Idempotency-Key.
func (s *Server) jsonList(w http.ResponseWriter, r *http.Request) (lists.NewList, error) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.UploadMaxBytes))
	if err != nil {
		return lists.NewList{}, uploadReadError(err)
	}
	var req jsonListRequest
	if err := decodeStrictJSON(bytes.NewReader(raw), &req); err != nil {
		return lists.NewList{}, err
	}
	if err := s.validInput(&req); err != nil {
		return lists.NewList{}, err
	}
	sum := sha256.Sum256(raw)
	return lists.NewList{Name: req.Name, Emails: req.Emails, Dedupe: req.Dedupe, RequestHash: sum[:]}, nil
}

func (s *Server) handleAPIListIndex(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	page, err := s.Lists.ListAll(r.Context(), apiFrom(r.Context()).tenant.ID, r.URL.Query().Get("cursor"), cmpOr(limit, 50), s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
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
	l, err := s.Lists.Get(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
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
	l, err := s.Lists.Cancel(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
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
	if err := s.Lists.Delete(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func cmpOr(v, def int) int {
	if v <= 0 {
		return def
	}
	return v
}
