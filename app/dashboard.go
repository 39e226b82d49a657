package app

import (
	"net/http"
	"time"

	"mailvet/tenants"
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
	stats, err := s.Verifications.StatsSince(ctx, pc.tenant.ID, time.Now().AddDate(0, 0, -30))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := views.Dashboard{
		Members: len(members), PendingInvs: len(invites), Verified: pc.user.Verified(), CanManage: pc.role.CanManage(),
		Verifications: stats.Total, CacheHits: stats.CacheHits, CacheMisses: stats.CacheMisses, CachedAddresses: stats.CachedNow,
		VerifyForm: f, VerifyResult: res,
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
		if k.RevokedAt != nil {
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
