package app

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/tenants"
	"mailvet/views"
)

// keyLimitsForm is the limits form of a key's row: each blank for the
// plan's, written with or without thousands separators.
type keyLimitsForm struct {
	RatePerMinute string `form:"rate_per_minute" validate:"max=20"`
	Daily         string `form:"daily_limit" validate:"max=20"`
	Monthly       string `form:"monthly_limit" validate:"max=20"`
}

// keyLimitLabels name the limits for people, by form field.
var keyLimitLabels = map[string]string{
	"rate_per_minute": "Requests per minute", "daily_limit": "Verifications per day", "monthly_limit": "Verifications per month",
}

// handleKeyLimits sets a key's own limits (blank: the plan's); HTMX swaps
// the key's row, showing the form again with its error when refused. That
// a limit may not exceed the plan's is the domain's rule
// (tenants.SetAPIKeyLimits); here the numbers are only read.
func (s *Server) handleKeyLimits(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	var in keyLimitsForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, tenantID := r.Context(), pageFrom(r.Context()).tenant.ID
	lim, problem := keyLimitsFromForm(in)
	if !ok {
		problem = "Limits must be whole numbers of at least 1, or blank for the plan's limit."
	}
	if problem != "" {
		s.keyLimitsRefused(w, r, tenantID, id, f, problem)
		return
	}
	plan, err := s.planLimits(ctx, tenantID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	key, err := s.Tenants.SetAPIKeyLimits(ctx, tenantID, id, lim, plan, s.actor(r))
	if err != nil {
		refused := views.Form{}
		if _, shown := s.formError(w, &refused, err); shown {
			s.keyLimitsRefused(w, r, tenantID, id, f, refused.Message())
			return
		}
		s.fail(w, r, err)
		return
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.KeyRowPartial(keyRow(key, pageFrom(r.Context()).tenant.Settings.KeyPolicy), true))
		return
	}
	s.flash(w, r, "Limits of key “"+key.Name+"” saved.")
	s.redirect(w, r, "/keys")
}

// keyLimitsRefused shows the key's row again with the values as typed and
// why they were refused.
func (s *Server) keyLimitsRefused(w http.ResponseWriter, r *http.Request, tenantID, id uuid.UUID, f views.Form, problem string) {
	key, err := s.Tenants.APIKeyByID(r.Context(), tenantID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	row := keyRow(key, pageFrom(r.Context()).tenant.Settings.KeyPolicy)
	row.RateValue, row.DailyValue, row.MonthlyValue = f.Get("rate_per_minute"), f.Get("daily_limit"), f.Get("monthly_limit")
	row.LimitsError = problem
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.KeyRowPartial(row, true)) // 200: htmx swaps only 2xx
		return
	}
	s.renderError(w, r, http.StatusUnprocessableEntity, "Limits not saved", problem)
}

// planLimits are the tenant's plan's limits, which a key's own may not
// exceed (no billing: none).
func (s *Server) planLimits(ctx context.Context, tenantID uuid.UUID) (tenants.PlanLimits, error) {
	if s.Billing == nil {
		return tenants.PlanLimits{RatePerMinute: billing.Unlimited, Daily: billing.Unlimited, Monthly: billing.Unlimited}, nil
	}
	plan, err := s.Billing.PlanFor(ctx, tenantID)
	if err != nil {
		return tenants.PlanLimits{}, err
	}
	return tenants.PlanLimits{RatePerMinute: plan.RatePerMinute, Daily: plan.DailyLimit, Monthly: plan.MonthlyLimit}, nil
}

// keyLimitsFromForm reads the three limits: blank is the plan's, anything
// else a whole number.
func keyLimitsFromForm(in keyLimitsForm) (tenants.KeyLimits, string) {
	var lim tenants.KeyLimits
	for _, field := range []struct {
		value, name string
		into        **int
	}{
		{in.RatePerMinute, "rate_per_minute", &lim.RatePerMinute},
		{in.Daily, "daily_limit", &lim.Daily},
		{in.Monthly, "monthly_limit", &lim.Monthly},
	} {
		raw := strings.ReplaceAll(field.value, ",", "")
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			return lim, keyLimitLabels[field.name] + " must be a whole number of at least 1, or blank for the plan's limit."
		}
		*field.into = &n
	}
	return lim, ""
}
