package app

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/google/uuid"

	"mailvet/platform"
	"mailvet/requestlog"
	"mailvet/views"
)

// adminTenantPage is how many tenants the console lists at once.
const adminTenantPage = 50

type suspendForm struct {
	Reason string `form:"reason" validate:"required,max=500"`
}

// handleAdminTenants finds tenants by name, slug, member or Stripe
// customer, sorted as asked.
func (s *Server) handleAdminTenants(w http.ResponseWriter, r *http.Request) {
	q, sort := r.URL.Query().Get("q"), r.URL.Query().Get("sort")
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	rows, more, err := s.Platform.Tenants(r.Context(), platform.TenantQuery{Q: q, Sort: sort, Limit: adminTenantPage, Offset: offset}, s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := views.AdminTenants{Q: q, Sort: sort}
	for _, t := range rows {
		v.Rows = append(v.Rows, adminTenantRow(t))
	}
	if more {
		v.NextURL = "/admin?" + url.Values{"q": {q}, "sort": {sort}, "offset": {strconv.Itoa(max(offset, 0) + adminTenantPage)}}.Encode()
	}
	s.render(w, r, http.StatusOK, views.AdminTenantsPage(s.page(w, r, "Admin console", "admin"), v))
}

func adminTenantRow(t platform.TenantRow) views.AdminTenantRow {
	return views.AdminTenantRow{ID: t.ID.String(), Name: t.Name, Slug: t.Slug, Status: t.Status, Created: formatTime(t.CreatedAt), Plan: t.Plan,
		MonthUsed: views.Thousands(t.MonthUsed), Members: strconv.Itoa(t.Members), StripeCustomer: t.StripeCustomer}
}

// handleAdminTenant shows one tenant.
func (s *Server) handleAdminTenant(w http.ResponseWriter, r *http.Request) {
	s.renderAdminTenant(w, r, http.StatusOK, views.Form{})
}

func (s *Server) renderAdminTenant(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	s.renderAdminTenantWith(w, r, status, adminForms{suspend: f})
}

// adminForms are the tenant page's forms as submitted (with their
// errors); an empty one is shown fresh.
type adminForms struct{ suspend, override, operator views.Form }

// renderAdminTenantWith shows the tenant with its forms.
func (s *Server) renderAdminTenantWith(w http.ResponseWriter, r *http.Request, status int, forms adminForms) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, platform.ErrNotFound)
		return
	}
	d, err := s.Platform.Tenant(r.Context(), id, s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := views.AdminTenant{AdminTenantRow: adminTenantRow(d.TenantRow), Suspended: d.Status == "suspended", SuspendedReason: d.SuspendedReason,
		SuspendedSince: formatTimePtr(d.SuspendedAt, ""), Subscription: d.SubscriptionStatus, PeriodEnd: formatTimePtr(d.PeriodEnd, ""),
		Included: views.Thousands(d.MonthIncluded), Limit: views.Thousands(d.MonthLimit), Form: forms.suspend}
	for _, m := range d.Members {
		v.Members = append(v.Members, views.AdminMember{UserID: m.UserID.String(), Email: m.Email, Name: m.Name, Role: m.Role})
	}
	for _, k := range d.Keys {
		state := "active"
		if k.RevokedAt != nil {
			state = "revoked " + formatTime(*k.RevokedAt)
		}
		v.Keys = append(v.Keys, views.AdminKey{Name: k.Name, Mode: k.Mode, Prefix: k.Prefix, Created: formatTime(k.CreatedAt),
			LastUsed: formatTimePtr(k.LastUsedAt, "never"), Status: state})
	}
	for _, l := range d.Lists {
		v.Lists = append(v.Lists, views.AdminList{Name: l.Name, Status: l.Status, Rows: views.Thousands(l.TotalRows), Created: formatTime(l.CreatedAt)})
	}
	for _, e := range d.Endpoints {
		v.Endpoints = append(v.Endpoints, views.AdminEndpoint{URL: e.URL, Enabled: e.Enabled, DeadLetters: views.Thousands(e.DeadLetters)})
	}
	for _, a := range d.Audit {
		who := a.ActorEmail
		if a.BySupport {
			who += " (mailvet support)"
		}
		v.Audit = append(v.Audit, views.AdminAuditRow{When: formatTime(a.CreatedAt), Actor: who, Action: a.Action, Target: a.TargetType + " " + a.TargetID})
	}
	v.Usage = adminUsageChart(d.Usage)
	if s.RequestLogs != nil {
		errs, err := s.RequestLogs.ListAll(r.Context(), requestlog.Filter{TenantID: id, StatusFrom: 400, StatusTo: 599, Limit: 20}, s.platformActor(r))
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		for _, e := range errs.Logs {
			code := ""
			if e.ProblemCode != nil {
				code = *e.ProblemCode
			}
			v.APIErrors = append(v.APIErrors, views.AdminAPIError{When: formatTime(e.CreatedAt), Route: e.Route, Status: strconv.Itoa(e.Status),
				Code: code, RequestID: e.RequestID})
		}
	}
	if v.Override, err = s.adminOverride(r, id, forms.override); err != nil {
		s.pageError(w, r, err)
		return
	}
	if v.Operator, err = s.adminOperator(r, id, forms.operator); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, status, views.AdminTenantPage(s.page(w, r, d.Name, "admin"), v))
}

// adminUsageChart is the tenant's last 30 days: billable and free.
func adminUsageChart(days []platform.DayUsage) views.BarChart {
	in := views.BarChartInput{ID: "admin-usage", Title: "Verifications per day",
		Layers: []views.ChartLayer{{Name: "Billable", Class: "bar-deliverable"}, {Name: "Free (cache, rules, test)", Class: "bar-unknown"}}}
	total := 0
	for _, d := range days {
		in.Cols = append(in.Cols, views.ChartColumn{Label: d.Day.Format("2 Jan"), Full: d.Day.Format("2 Jan 2006"),
			Values: []int{d.Billable, max(d.Total-d.Billable, 0)}})
		total += d.Total
	}
	in.Desc = "Stacked bars of verifications per day over the last 30 days, billable and free: " + views.Thousands(total) + " in total."
	return views.NewBarChart(in)
}

// handleAdminTenantSuspend suspends the tenant with the reason given.
func (s *Server) handleAdminTenantSuspend(w http.ResponseWriter, r *http.Request) {
	var in suspendForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderAdminTenant(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	id, _ := uuid.Parse(r.PathValue("id"))
	if _, err := s.Tenants.Suspend(r.Context(), id, in.Reason, s.platformActor(r)); err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderAdminTenant(w, r, status, f)
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "Workspace suspended; its owners were mailed.")
	s.redirect(w, r, "/admin/tenants/"+id.String())
}

// handleAdminTenantResume lifts the tenant's suspension.
func (s *Server) handleAdminTenantResume(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	if _, err := s.Tenants.Resume(r.Context(), id, s.platformActor(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "Workspace resumed.")
	s.redirect(w, r, "/admin/tenants/"+id.String())
}
