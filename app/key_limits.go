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

// handleKeyLimits sets a key's own limits (blank: the plan's); HTMX swaps
// the key's row, showing the form again with its error when refused.
func (s *Server) handleKeyLimits(w http.ResponseWriter, r *http.Request) {
	if !s.requireManager(w, r) {
		return
	}
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
	htmx := isHTMX(r)
	var lim tenants.KeyLimits
	problem := "Limits must be whole numbers of at least 1, or blank for the plan's limit."
	if ok {
		if lim, problem, err = s.keyLimitsFromForm(ctx, tenantID, in); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if problem != "" {
		key, err := s.Tenants.APIKeyByID(ctx, tenantID, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		row := keyRow(key)
		row.RateValue, row.DailyValue, row.MonthlyValue = f.Get("rate_per_minute"), f.Get("daily_limit"), f.Get("monthly_limit")
		row.LimitsError = problem
		if htmx {
			s.render(w, r, http.StatusOK, views.KeyRowPartial(row, true)) // 200: htmx swaps only 2xx
			return
		}
		s.renderError(w, r, http.StatusUnprocessableEntity, "Limits not saved", problem)
		return
	}
	key, err := s.Tenants.SetAPIKeyLimits(ctx, tenantID, id, lim, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if htmx {
		s.render(w, r, http.StatusOK, views.KeyRowPartial(keyRow(key), true))
		return
	}
	s.flash(w, r, "Limits of key “"+key.Name+"” saved.")
	s.redirect(w, r, "/keys")
}

// keyLimitsForm is the limits form of a key's row: each blank for the
// plan's, written with or without thousands separators.
type keyLimitsForm struct {
	RatePerMinute string `form:"rate_per_minute" validate:"max=20"`
	Daily         string `form:"daily_limit" validate:"max=20"`
	Monthly       string `form:"monthly_limit" validate:"max=20"`
}

// keyLimitsFromForm reads the three limits: blank is the plan's, anything
// else a whole number from 1 up to the plan's own limit.
func (s *Server) keyLimitsFromForm(ctx context.Context, tenantID uuid.UUID, in keyLimitsForm) (tenants.KeyLimits, string, error) {
	planRate, planDaily, planMonthly := billing.Unlimited, billing.Unlimited, billing.Unlimited
	if s.Billing != nil {
		plan, err := s.Billing.PlanFor(ctx, tenantID)
		if err != nil {
			return tenants.KeyLimits{}, "", err
		}
		planRate, planDaily, planMonthly = plan.RatePerMinute, plan.DailyLimit, plan.MonthlyLimit
	}
	var lim tenants.KeyLimits
	for _, field := range []struct {
		value, label string
		planMax      int
		into         **int
	}{
		{in.RatePerMinute, "Requests per minute", planRate, &lim.RatePerMinute},
		{in.Daily, "Verifications per day", planDaily, &lim.Daily},
		{in.Monthly, "Verifications per month", planMonthly, &lim.Monthly},
	} {
		raw := strings.ReplaceAll(field.value, ",", "")
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		switch {
		case err != nil || n < 1:
			return lim, field.label + " must be a whole number of at least 1, or blank for the plan's limit.", nil
		case n > field.planMax:
			return lim, field.label + " can be at most " + views.Thousands(field.planMax) + ", your plan's limit; leave it blank to use the plan's.", nil
		}
		*field.into = &n
	}
	return lim, "", nil
}
