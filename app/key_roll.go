package app

import (
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

type keyRollForm struct {
	Grace string `form:"grace" validate:"required,max=20"`
}

// handleKeyRoll rolls a key from its row and shows the keys page with the
// successor's secret, once, and the old key in its grace. HTMX swaps
// #main with the same page.
func (s *Server) handleKeyRoll(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in keyRollForm
	if _, ok, err := s.decodeForm(w, r, &in); err != nil || !ok {
		s.keyActionRefused(w, r, err, "Choose how long the old key keeps working.")
		return
	}
	grace, err := tenants.ParseGrace(in.Grace)
	if err != nil {
		s.keyActionRefused(w, r, err, "")
		return
	}
	pc := pageFrom(r.Context())
	rolled, err := s.Tenants.RollAPIKey(r.Context(), pc.tenant.ID, id, grace, s.actor(r))
	if err != nil {
		s.keyActionRefused(w, r, err, "")
		return
	}
	created := views.CreatedKey{Key: keyRow(rolled.New, pc.tenant.Settings.KeyPolicy), Secret: rolled.Secret, Verb: "rolled",
		Until: formatTimePtr(rolled.Old.ExpiresAt, "")}
	s.renderKeys(w, r, http.StatusCreated, views.Form{}, &created, "")
}

// handleKeyReveal makes and shows, once, the secret of a successor that
// automatic rotation made.
func (s *Server) handleKeyReveal(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	pc := pageFrom(r.Context())
	key, secret, err := s.Tenants.RevealAPIKey(r.Context(), pc.tenant.ID, id, s.actor(r))
	if err != nil {
		s.keyActionRefused(w, r, err, "")
		return
	}
	created := views.CreatedKey{Key: keyRow(key, pc.tenant.Settings.KeyPolicy), Secret: secret, Verb: "revealed"}
	s.renderKeys(w, r, http.StatusOK, views.Form{}, &created, "")
}

// keyActionRefused shows the keys page with why a roll or reveal was
// refused (the table's words, or problem for a form that did not decode);
// anything the table does not know fails as usual.
func (s *Server) keyActionRefused(w http.ResponseWriter, r *http.Request, err error, problem string) {
	status := http.StatusUnprocessableEntity
	if err != nil {
		row, _ := s.classify(err)
		if row.status == 0 || row.status >= 500 || row.status == http.StatusNotFound {
			s.fail(w, r, err)
			return
		}
		status, problem = row.status, row.pageText()
	}
	if isHTMX(r) {
		status = http.StatusOK // htmx swaps only 2xx: the page with the error
	}
	s.renderKeys(w, r, status, views.Form{}, nil, problem)
}
