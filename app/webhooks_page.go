package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mailvet/views"
	"mailvet/webhooks"
)

// webhookForm is the add and edit forms of an endpoint. "All events"
// (all_events) wins over single types, so that a form sent without
// JavaScript means what its ticks say at a glance.
type webhookForm struct {
	URL         string   `form:"url" validate:"required,max=2048"`
	Description string   `form:"description" validate:"max=500"`
	AllEvents   bool     `form:"all_events"`
	Events      []string `form:"events"`
}

// input is the form as the domain takes it; ok is false (with the problem
// in f) when no event type is chosen.
func (in webhookForm) input(f *views.Form) (webhooks.EndpointInput, bool) {
	for _, t := range in.Events {
		f.Values["events:"+t] = "1"
	}
	input := webhooks.EndpointInput{URL: &in.URL, Description: &in.Description, Events: &[]string{}}
	if in.AllEvents {
		f.Values["all_events"] = "1"
		return input, true
	}
	if len(in.Events) == 0 {
		f.Errors["events"] = "Choose at least one event type, or All events."
		return webhooks.EndpointInput{}, false
	}
	input.Events = &in.Events
	return input, true
}

// endpointForm is the edit form filled with an endpoint's values.
func endpointForm(e webhooks.Endpoint) views.Form {
	f := views.Form{Values: map[string]string{"url": e.URL, "description": e.Description}, Errors: map[string]string{}}
	if len(e.Events) == 0 {
		f.Values["all_events"] = "1"
	}
	for _, t := range e.Events {
		f.Values["events:"+t] = "1"
	}
	return f
}

func webhookTypes() []views.WebhookType {
	var out []views.WebhookType
	for _, t := range webhooks.Types() {
		out = append(out, views.WebhookType{Name: t.Name, Summary: t.Summary})
	}
	return out
}

func webhookRow(e webhooks.Endpoint) views.WebhookRow {
	row := views.WebhookRow{ID: e.ID.String(), URL: e.URL, Description: e.Description, Events: e.Events, Enabled: e.Enabled, Unconfirmed: e.ImportedUnconfirmed, Created: formatTime(e.CreatedAt)}
	if e.DisabledReason != nil {
		row.DisabledReason = *e.DisabledReason
	}
	return row
}

func (s *Server) handleWebhooksPage(w http.ResponseWriter, r *http.Request) {
	s.renderWebhooks(w, r, http.StatusOK, views.Form{}, nil)
}

func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, status int, f views.Form, created *views.WebhookSecrets) {
	pc := pageFrom(r.Context())
	list, err := s.Webhooks.List(r.Context(), pc.tenant.ID, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := views.Webhooks{Types: webhookTypes(), CanManage: pc.role.CanManage(), Form: f, Created: created}
	for _, e := range list {
		v.Endpoints = append(v.Endpoints, webhookRow(e))
	}
	s.render(w, r, status, views.WebhooksPage(s.page(w, r, "Webhooks", "webhooks"), v))
}

// handleWebhookCreate adds an endpoint and shows its secrets on the page
// it answers with, the only time they are shown.
func (s *Server) handleWebhookCreate(w http.ResponseWriter, r *http.Request) {
	var in webhookForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	input, chosen := in.input(&f)
	if !ok || !chosen {
		s.renderWebhooks(w, r, http.StatusUnprocessableEntity, f, nil)
		return
	}
	c, err := s.Webhooks.Create(r.Context(), pageFrom(r.Context()).tenant.ID, input, s.actor(r))
	if err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderWebhooks(w, r, status, f, nil)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.renderWebhooks(w, r, http.StatusCreated, views.Form{}, &views.WebhookSecrets{EndpointID: c.ID.String(), URL: c.URL,
		Secret: c.Secret, Inbound: c.InboundSecret, InboundURL: c.InboundURL})
}

// webhookPage holds what a detail page shows besides the endpoint's own
// data: forms sent back with their problems, a new secret.
type webhookPage struct {
	status              int
	edit, rotate, recov *views.Form
	rotated             *views.WebhookSecrets
}

func (s *Server) handleWebhookPage(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	s.renderWebhook(w, r, id, webhookPage{status: http.StatusOK})
}

// sinceLayout is the value of a datetime-local input, read as UTC.
const sinceLayout = "2006-01-02T15:04"

func (s *Server) renderWebhook(w http.ResponseWriter, r *http.Request, id uuid.UUID, wp webhookPage) {
	pc, ctx, by := pageFrom(r.Context()), r.Context(), s.actor(r)
	e, err := s.Webhooks.Get(ctx, pc.tenant.ID, id, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	attempts, err := s.Webhooks.Attempts(ctx, pc.tenant.ID, id, webhooks.AttemptFilter{Limit: 50}, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Attempts name their event, deliveries its type too.
	recent, err := s.Webhooks.Deliveries(ctx, pc.tenant.ID, id, webhooks.DeliveryFilter{Limit: 200}, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dead, err := s.Webhooks.Deliveries(ctx, pc.tenant.ID, id, webhooks.DeliveryFilter{State: webhooks.StateDead, Limit: 200}, by)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := views.WebhookDetail{Endpoint: webhookRow(e), InboundURL: e.InboundURL, Types: webhookTypes(), CanManage: pc.role.CanManage(),
		Form: endpointForm(e), Rotated: wp.rotated, FailingSince: formatTimePtr(e.FailingSince, ""),
		RecoverSince: time.Now().UTC().Add(-24 * time.Hour).Format(sinceLayout)}
	if e.FailingSince != nil {
		d.RecoverSince = e.FailingSince.UTC().Format(sinceLayout)
	}
	if e.PreviousSecretUntil != nil && e.PreviousSecretUntil.After(time.Now()) {
		d.Overlap = formatTime(*e.PreviousSecretUntil)
	}
	for _, f := range []struct {
		from *views.Form
		to   *views.Form
	}{{wp.edit, &d.Form}, {wp.rotate, &d.RotateForm}, {wp.recov, &d.RecoverForm}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	types := map[string]string{}
	for _, x := range recent {
		types[x.EventID] = x.EventType
	}
	for _, a := range attempts {
		d.Attempts = append(d.Attempts, attemptRow(a, types[a.EventID]))
	}
	for _, x := range dead {
		row := views.WebhookDelivery{ID: x.ID.String(), EventID: x.EventID, EventType: x.EventType, Created: formatTime(x.CreatedAt), Attempts: x.Attempts}
		if x.LastError != nil {
			row.LastError = *x.LastError
		}
		d.Dead = append(d.Dead, row)
	}
	s.render(w, r, wp.status, views.WebhookPage(s.page(w, r, "Webhook endpoint", "webhooks"), d))
}

func attemptRow(a webhooks.Attempt, eventType string) views.WebhookAttempt {
	row := views.WebhookAttempt{ID: strconv.FormatInt(a.ID, 10), At: a.AttemptedAt.UTC().Format("2 Jan 2006 15:04:05 UTC"), EventID: a.EventID,
		EventType: eventType, Status: "no answer", Latency: strconv.Itoa(a.LatencyMS) + " ms"}
	if row.EventType == "" {
		row.EventType = "event"
	}
	if a.Status != nil {
		row.Status, row.OK = strconv.Itoa(*a.Status), *a.Status >= 200 && *a.Status < 300
	}
	if a.Error != nil {
		row.Error = *a.Error
	}
	if a.ResponseBody != nil {
		row.Body = *a.ResponseBody
	}
	return row
}
