package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mailvet/alerts"
	"mailvet/views"
)

type alertForm struct {
	Name      string  `form:"name" validate:"required,max=100"`
	Metric    string  `form:"metric" validate:"required,max=50"`
	Target    string  `form:"target" validate:"max=200"`
	Threshold float64 `form:"threshold" validate:"min=0"`
	For       string  `form:"for" validate:"required,max=20"`
	Enabled   bool    `form:"enabled"`
}

// rule is the form's rule; a duration that does not parse is the for
// field's error.
func (f alertForm) rule(id uuid.UUID) (alerts.Rule, error) {
	d, err := time.ParseDuration(f.For)
	if err != nil {
		return alerts.Rule{}, &alerts.RuleError{Field: "for", Reason: "write a duration such as 0s, 5m or 1h"}
	}
	return alerts.Rule{ID: id, Name: f.Name, Metric: f.Metric, Target: f.Target, Threshold: f.Threshold, For: d, Enabled: f.Enabled}, nil
}

// withAlerts answers 404 when the server keeps no alert rules.
func (s *Server) withAlerts(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.Alerts == nil {
			s.handlePageNotFound(w, r)
			return
		}
		h(w, r)
	}
}

// keep puts the fields that are not text back into the form shown again.
func (f alertForm) keep(v *views.Form) {
	v.Values["threshold"] = strconv.FormatFloat(f.Threshold, 'g', -1, 64)
	if f.Enabled {
		v.Values["enabled"] = "1"
	}
}

var alertStateClass = map[string]string{alerts.StateOK: "badge-deliverable", alerts.StatePending: "badge-risky", alerts.StateFiring: "badge-undeliverable"}

// handleAdminAlerts lists the rules with the form that adds one.
func (s *Server) handleAdminAlerts(w http.ResponseWriter, r *http.Request) {
	s.renderAdminAlerts(w, r, http.StatusOK, views.Form{Values: map[string]string{"for": "5m", "enabled": "1", "metric": alerts.ErrorRate}})
}

func (s *Server) renderAdminAlerts(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	rules, err := s.Alerts.Rules(r.Context(), s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := views.AdminAlerts{Form: f, Webhook: s.Alerts.WebhookNote()}
	for _, rule := range rules {
		row := views.AdminAlertRow{ID: rule.ID.String(), Name: rule.Name, Condition: alerts.Condition(rule), State: rule.State,
			StateClass: alertStateClass[rule.State], Enabled: rule.Enabled, Evaluated: formatTimePtr(rule.LastEvaluatedAt, "not yet")}
		if rule.LastValue != nil {
			row.LastValue = strconv.FormatFloat(*rule.LastValue, 'g', 6, 64)
		}
		switch rule.State {
		case alerts.StateFiring:
			row.Since = formatTimePtr(rule.FiredAt, "")
		case alerts.StatePending:
			row.Since = formatTimePtr(rule.PendingSince, "")
		}
		v.Rules = append(v.Rules, row)
	}
	s.render(w, r, status, views.AdminAlertsPage(s.page(w, r, "Alerts", "admin"), v))
}

// handleAdminAlertCreate adds a rule.
func (s *Server) handleAdminAlertCreate(w http.ResponseWriter, r *http.Request) {
	var in alertForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in.keep(&f)
	if ok {
		var rule alerts.Rule
		if rule, err = in.rule(uuid.Nil); err == nil {
			_, err = s.Alerts.Create(r.Context(), rule, s.platformActor(r))
		}
		if err == nil {
			s.flash(w, r, "Rule added: "+rule.Name+".")
			s.redirect(w, r, "/admin/alerts")
			return
		}
		if status, shown := s.formError(w, &f, err); shown {
			s.renderAdminAlerts(w, r, status, f)
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.renderAdminAlerts(w, r, http.StatusUnprocessableEntity, f)
}

// handleAdminAlert shows one rule's edit form.
func (s *Server) handleAdminAlert(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	rule, err := s.Alerts.Rule(r.Context(), id, s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f := views.Form{Values: map[string]string{"name": rule.Name, "metric": rule.Metric, "target": rule.Target,
		"threshold": strconv.FormatFloat(rule.Threshold, 'g', -1, 64), "for": rule.For.String()}}
	if rule.Enabled {
		f.Values["enabled"] = "1"
	}
	s.render(w, r, http.StatusOK, views.AdminAlertPage(s.page(w, r, "Alert "+rule.Name, "admin"), views.AdminAlert{ID: id.String(), Name: rule.Name, Form: f}))
}

// handleAdminAlertSave saves one rule.
func (s *Server) handleAdminAlertSave(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	var in alertForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in.keep(&f)
	if ok {
		var rule alerts.Rule
		if rule, err = in.rule(id); err == nil {
			err = s.Alerts.Update(r.Context(), rule, s.platformActor(r))
		}
		if err == nil {
			s.flash(w, r, "Rule saved.")
			s.redirect(w, r, "/admin/alerts")
			return
		}
		if _, shown := s.formError(w, &f, err); !shown {
			s.pageError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, views.AdminAlertPage(s.page(w, r, "Alert rule", "admin"), views.AdminAlert{ID: id.String(), Name: in.Name, Form: f}))
}

// handleAdminAlertDelete deletes one rule.
func (s *Server) handleAdminAlertDelete(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	rule, err := s.Alerts.Delete(r.Context(), id, s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "Rule deleted: "+rule.Name+".")
	s.redirect(w, r, "/admin/alerts")
}
