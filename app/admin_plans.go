package app

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/views"
)

type planForm struct {
	Name                string `form:"name" validate:"required,max=50"`
	PriceCents          int    `form:"price_cents" validate:"min=0"`
	OverageCentsPer1000 int    `form:"overage_cents_per_1000" validate:"min=0"`
	DailyLimit          int    `form:"daily_limit" validate:"min=1"`
	MonthlyIncluded     int    `form:"monthly_included" validate:"min=1"`
	MonthlyLimit        int    `form:"monthly_limit" validate:"min=1"`
	RatePerMinute       int    `form:"rate_per_minute" validate:"min=1"`
	MaxListRows         int    `form:"max_list_rows" validate:"min=1"`
}

type overrideForm struct {
	PlanID          string `form:"plan_id" validate:"max=50"`
	DailyLimit      int    `form:"daily_limit" validate:"min=0"`
	MonthlyIncluded int    `form:"monthly_included" validate:"min=0"`
	MonthlyLimit    int    `form:"monthly_limit" validate:"min=0"`
	RatePerMinute   int    `form:"rate_per_minute" validate:"min=0"`
	MaxListRows     int    `form:"max_list_rows" validate:"min=0"`
	EndsAt          string `form:"ends_at" validate:"omitempty,datetime=2006-01-02"`
	Note            string `form:"note" validate:"required,max=500"`
}

// handleAdminPlans lists the plans.
func (s *Server) handleAdminPlans(w http.ResponseWriter, r *http.Request) {
	plans, err := s.Billing.Plans(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	rows := make([]views.AdminPlanRow, len(plans))
	for i, p := range plans {
		rows[i] = views.AdminPlanRow{ID: p.ID, Name: p.Name, Price: billingDollars(p.PriceCents), Overage: billingDollars(p.OverageCentsPer1000),
			Daily: views.Thousands(p.DailyLimit), Included: views.Thousands(p.MonthlyIncluded), Limit: views.Thousands(p.MonthlyLimit),
			Rate: views.Thousands(p.RatePerMinute), MaxListRows: views.Thousands(p.MaxListRows)}
	}
	s.render(w, r, http.StatusOK, views.AdminPlansPage(s.page(w, r, "Plans", "admin"), rows))
}

// handleAdminPlan shows one plan's edit form.
func (s *Server) handleAdminPlan(w http.ResponseWriter, r *http.Request) {
	plans, err := s.Billing.Plans(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, p := range plans {
		if p.ID == r.PathValue("id") {
			f := views.Form{Values: map[string]string{"name": p.Name}}
			for name, v := range map[string]int{"price_cents": p.PriceCents, "overage_cents_per_1000": p.OverageCentsPer1000,
				"daily_limit": p.DailyLimit, "monthly_included": p.MonthlyIncluded, "monthly_limit": p.MonthlyLimit,
				"rate_per_minute": p.RatePerMinute, "max_list_rows": p.MaxListRows} {
				f.Values[name] = strconv.Itoa(v)
			}
			s.render(w, r, http.StatusOK, views.AdminPlanPage(s.page(w, r, "Plan "+p.Name, "admin"), views.AdminPlan{ID: p.ID, Form: f}))
			return
		}
	}
	s.pageError(w, r, billing.ErrNotFound)
}

// handleAdminPlanSave saves one plan's row.
func (s *Server) handleAdminPlanSave(w http.ResponseWriter, r *http.Request) {
	var in planForm
	id := r.PathValue("id")
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.render(w, r, http.StatusUnprocessableEntity, views.AdminPlanPage(s.page(w, r, "Plan", "admin"), views.AdminPlan{ID: id, Form: f}))
		return
	}
	_, err = s.Billing.UpdatePlan(r.Context(), billing.Plan{ID: id, Name: in.Name, PriceCents: in.PriceCents, OverageCentsPer1000: in.OverageCentsPer1000,
		DailyLimit: in.DailyLimit, MonthlyIncluded: in.MonthlyIncluded, MonthlyLimit: in.MonthlyLimit, RatePerMinute: in.RatePerMinute,
		MaxListRows: in.MaxListRows}, s.platformActor(r))
	if err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.render(w, r, status, views.AdminPlanPage(s.page(w, r, "Plan", "admin"), views.AdminPlan{ID: id, Form: f}))
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "Plan saved.")
	s.redirect(w, r, "/admin/plans")
}

// handleAdminOverride sets the tenant's plan override.
func (s *Server) handleAdminOverride(w http.ResponseWriter, r *http.Request) {
	var in overrideForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderAdminTenantWith(w, r, http.StatusUnprocessableEntity, adminForms{override: f})
		return
	}
	id, _ := uuid.Parse(r.PathValue("id"))
	o := billing.Override{PlanID: strings.TrimSpace(in.PlanID), DailyLimit: in.DailyLimit, MonthlyIncluded: in.MonthlyIncluded,
		MonthlyLimit: in.MonthlyLimit, RatePerMinute: in.RatePerMinute, MaxListRows: in.MaxListRows, Note: in.Note}
	if in.EndsAt != "" {
		ends, _ := time.Parse(time.DateOnly, in.EndsAt) // the validator checked the format
		o.EndsAt = &ends
	}
	if err := s.Billing.SetOverride(r.Context(), id, o, s.platformActor(r)); err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderAdminTenantWith(w, r, status, adminForms{override: f})
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "Override set.")
	s.redirect(w, r, "/admin/tenants/"+id.String())
}

// handleAdminOverrideClear removes the tenant's override.
func (s *Server) handleAdminOverrideClear(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	if err := s.Billing.ClearOverride(r.Context(), id, s.platformActor(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "Override removed.")
	s.redirect(w, r, "/admin/tenants/"+id.String())
}

// adminOverride is the tenant's override for its page, with the form
// (the submitted one, or empty).
func (s *Server) adminOverride(r *http.Request, tenantID uuid.UUID, f views.Form) (views.AdminOverride, error) {
	v := views.AdminOverride{Form: f}
	plans, err := s.Billing.Plans(r.Context())
	if err != nil {
		return v, err
	}
	for _, p := range plans {
		v.Plans = append(v.Plans, views.PlanChoice{ID: p.ID, Name: p.Name})
	}
	o, err := s.Billing.OverrideOf(r.Context(), tenantID)
	if err != nil || o == nil {
		return v, err
	}
	v.Active = true
	parts := []string{}
	if o.PlanID != "" {
		parts = append(parts, "plan "+o.PlanID)
	}
	for _, l := range []struct {
		name string
		v    int
	}{{"per day", o.DailyLimit}, {"included per month", o.MonthlyIncluded}, {"at most per month", o.MonthlyLimit},
		{"per minute", o.RatePerMinute}, {"rows per list", o.MaxListRows}} {
		if l.v > 0 {
			parts = append(parts, views.Thousands(l.v)+" "+l.name)
		}
	}
	v.Summary = strings.Join(parts, ", ") + " — " + o.Note
	if o.EndsAt != nil {
		v.Summary += " (until " + formatTime(*o.EndsAt) + ")"
	}
	return v, nil
}
