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
	s.submitAlert(w, r, uuid.Nil, func(rule alerts.Rule) (string, error) {
		_, err := s.Alerts.Create(r.Context(), rule, s.platformActor(r))
		return "Rule added: " + rule.Name + ".", err
	}, func(status int, f views.Form) { s.renderAdminAlerts(w, r, status, f) })
}

// submitAlert reads a rule's form and hands the rule to save; it goes back
// to the rules with save's message, or shows the form again with what is
// wrong through again.
func (s *Server) submitAlert(w http.ResponseWriter, r *http.Request, id uuid.UUID, save func(alerts.Rule) (string, error), again func(int, views.Form)) {
	var in alertForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in.keep(&f)
	if !ok {
		again(http.StatusUnprocessableEntity, f)
		return
	}
	rule, err := in.rule(id)
	var done string
	if err == nil {
		done, err = save(rule)
	}
	if err == nil {
		s.flash(w, r, done)
		s.redirect(w, r, "/admin/alerts")
		return
	}
	if status, shown := s.formError(w, &f, err); shown {
		again(status, f)
		return
	}
	s.pageError(w, r, err)
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
		"threshold": strconv.FormatFloat(rule.Threshold, 'g', -1, 64), "for": alerts.ShortDuration(rule.For)}}
	if rule.Enabled {
		f.Values["enabled"] = "1"
	}
	s.render(w, r, http.StatusOK, views.AdminAlertPage(s.page(w, r, "Alert "+rule.Name, "admin"), views.AdminAlert{ID: id.String(), Name: rule.Name, Form: f}))
}

// handleAdminAlertSave saves one rule.
func (s *Server) handleAdminAlertSave(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	s.submitAlert(w, r, id, func(rule alerts.Rule) (string, error) {
		return "Rule saved.", s.Alerts.Update(r.Context(), rule, s.platformActor(r))
	}, func(status int, f views.Form) {
		s.render(w, r, status, views.AdminAlertPage(s.page(w, r, "Alert rule", "admin"), views.AdminAlert{ID: id.String(), Name: f.Get("name"), Form: f}))
	})
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
