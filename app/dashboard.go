package app

import (
	"net/http"
	"time"

	"mailvet/tenants"
	"mailvet/usage"
	"mailvet/views"
)

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request) {
	s.renderDashboard(w, r, views.Form{}, nil)
}

// renderDashboard shows the dashboard, with the verify box's state.
func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, f views.Form, res *views.VerifyResult) {
	pc := pageFrom(r.Context())
	ctx := r.Context()
	keys, err := s.Tenants.ListAPIKeys(ctx, pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	members, err := s.Tenants.ListMembers(ctx, pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	invites, err := s.Tenants.ListInvites(ctx, pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The verifications are the usage page's default figure, from the same
	// rollups: every source (API, dashboard, lists), the last
	// usage.DefaultDays UTC days, today included.
	now := time.Now()
	last := usage.LastDays(usage.DefaultDays, usage.Day, now)
	totals, err := s.Usage.Totals(ctx, pc.tenant.ID, last.From, last.To)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	stats, err := s.Verifications.StatsSince(ctx, pc.tenant.ID, now) // only the cache's size is read
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := views.Dashboard{
		Members: len(members), PendingInvs: len(invites), Verified: pc.user.Verified(), CanManage: pc.role.CanManage(),
		Days: usage.DefaultDays, Verifications: totals.Total(), CacheHits: totals.CacheHits, Billable: totals.Billable,
		CachedAddresses: stats.CachedNow,
		VerifyForm:      f, VerifyResult: res,
	}
	if s.Billing != nil {
		q, err := s.Billing.Usage(ctx, pc.tenant.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Quota = &views.DashboardQuota{
			Plan:      q.PlanName,
			MonthLeft: views.Thousands(q.MonthRemaining), MonthLimit: views.Thousands(q.MonthLimit),
			DayLeft: views.Thousands(q.DayRemaining), DayLimit: views.Thousands(q.DayLimit),
			MonthUsedPercent: min(q.MonthUsed*100/max(q.MonthLimit, 1), 100),
		}
	}
	for _, k := range keys {
		if !k.Working(now) {
			continue
		}
		if k.Mode == tenants.ModeLive {
			d.LiveKeys++
		} else {
			d.TestKeys++
		}
	}
	s.render(w, r, http.StatusOK, views.DashboardPage(s.page(w, r, "Dashboard", "dashboard"), d))
}
