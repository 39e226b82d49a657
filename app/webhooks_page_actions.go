package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"mailvet/views"
	"mailvet/webhooks"
)

// handleWebhookUpdate saves the edit form; problems are shown next to
// their field.
func (s *Server) handleWebhookUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in webhookForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	input, chosen := in.input(&f)
	if !ok || !chosen {
		s.renderWebhook(w, r, id, webhookPage{status: http.StatusUnprocessableEntity, edit: &f})
		return
	}
	if _, err := s.Webhooks.Update(r.Context(), pageFrom(r.Context()).tenant.ID, id, input, s.actor(r)); err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderWebhook(w, r, id, webhookPage{status: status, edit: &f})
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Endpoint saved.")
	s.redirect(w, r, "/webhooks/"+id.String())
}

type enableForm struct {
	Recover bool   `form:"recover"`
	Since   string `form:"since"`
}

// handleWebhookEnable turns a disabled endpoint back on and, when asked,
// sends again the dead letters it was left with.
func (s *Server) handleWebhookEnable(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in enableForm
	f, _, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var since time.Time
	if in.Recover {
		if since, err = time.Parse(sinceLayout, in.Since); err != nil {
			f.Errors["since"] = "Enter the date and time to recover from."
			s.renderWebhook(w, r, id, webhookPage{status: http.StatusUnprocessableEntity, recov: &f})
			return
		}
	}
	tenant, by, on := pageFrom(r.Context()).tenant.ID, s.actor(r), true
	if _, err := s.Webhooks.Update(r.Context(), tenant, id, webhookInputEnabled(&on), by); err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "Endpoint enabled."
	if in.Recover {
		n, err := s.Webhooks.Recover(r.Context(), tenant, id, since, by)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		msg = fmt.Sprintf("Endpoint enabled; %d dead letters sent again.", n)
	}
	s.flash(w, r, msg)
	s.redirect(w, r, "/webhooks/"+id.String())
}

// handleWebhookDisable stops deliveries to an endpoint until it is
// enabled again.
func (s *Server) handleWebhookDisable(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	off := false
	if _, err := s.Webhooks.Update(r.Context(), pageFrom(r.Context()).tenant.ID, id, webhookInputEnabled(&off), s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Endpoint disabled.")
	s.redirect(w, r, "/webhooks/"+id.String())
}

type rotateForm struct {
	Overlap string `form:"overlap" validate:"required"`
}

// handleWebhookRotate makes a new signing secret and shows it once: in
// place (HTMX) or on the page it answers with.
func (s *Server) handleWebhookRotate(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in rotateForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ok {
		c, err := s.Webhooks.Rotate(r.Context(), pageFrom(r.Context()).tenant.ID, id, in.Overlap, s.actor(r))
		if err == nil {
			secrets := views.WebhookSecrets{EndpointID: id.String(), URL: c.URL, Secret: c.Secret}
			if isHTMX(r) {
				s.render(w, r, http.StatusOK, views.WebhookSecretsPartial(secrets))
				return
			}
			s.renderWebhook(w, r, id, webhookPage{status: http.StatusOK, rotated: &secrets})
			return
		}
		if _, shown := s.formError(w, &f, err); !shown {
			s.fail(w, r, err)
			return
		}
	}
	if isHTMX(r) {
		// The form's own problem is a choice the select offers; say it
		// where the secret would have been.
		s.render(w, r, http.StatusOK, views.FormProblem(f))
		return
	}
	s.renderWebhook(w, r, id, webhookPage{status: http.StatusUnprocessableEntity, rotate: &f})
}

// handleWebhookTest queues a test event to this endpoint alone.
func (s *Server) handleWebhookTest(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	ev, err := s.Webhooks.SendTest(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Test event "+ev.ID+" queued: its attempt appears in the delivery log in a moment.")
	s.redirect(w, r, "/webhooks/"+id.String())
}

// handleWebhookRetry sends one dead letter again.
func (s *Server) handleWebhookRetry(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	delivery, err := uuid.Parse(r.PathValue("delivery"))
	if err != nil {
		s.fail(w, r, errNotFound)
		return
	}
	if err := s.Webhooks.Retry(r.Context(), pageFrom(r.Context()).tenant.ID, delivery, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Delivery queued again.")
	s.redirect(w, r, "/webhooks/"+id.String())
}

type recoverForm struct {
	Since string `form:"since" validate:"required"`
}

// handleWebhookRecover sends again every dead letter since a time.
func (s *Server) handleWebhookRecover(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in recoverForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	since, perr := time.Parse(sinceLayout, in.Since)
	if !ok || perr != nil {
		if !f.Has("since") {
			f.Errors["since"] = "Enter the date and time to recover from."
		}
		s.renderWebhook(w, r, id, webhookPage{status: http.StatusUnprocessableEntity, recov: &f})
		return
	}
	n, err := s.Webhooks.Recover(r.Context(), pageFrom(r.Context()).tenant.ID, id, since, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, fmt.Sprintf("%d dead letters since %s queued again.", n, formatTime(since)))
	s.redirect(w, r, "/webhooks/"+id.String())
}

// handleWebhookDelete deletes an endpoint with its log.
func (s *Server) handleWebhookDelete(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Webhooks.Delete(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Endpoint deleted.")
	s.redirect(w, r, "/webhooks")
}

// webhookInputEnabled is an update of the enabled state alone.
func webhookInputEnabled(on *bool) webhooks.EndpointInput {
	return webhooks.EndpointInput{Enabled: on}
}
