package app

import (
	"fmt"
	"net/http"

	"mailvet/billing"
	"mailvet/views"
)

// handleHome shows the public front page. Signed-in people, who came for
// their workspace, go on to their dashboard.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	pc, err := s.loadPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pc != nil {
		s.redirect(w, r, "/dashboard")
		return
	}
	plans, err := s.Billing.Plans(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := views.Front{Statuses: views.FrontStatuses}
	for _, pl := range plans {
		f.Plans = append(f.Plans, frontPlan(pl))
	}
	s.render(w, r, http.StatusOK, views.FrontPage(s.page(w, r, "Email validation API", ""), f))
}

// frontPlan formats a row of the plans table for the front page.
func frontPlan(pl billing.Plan) views.FrontPlan {
	fp := views.FrontPlan{
		ID: pl.ID, Name: pl.Name, Price: frontDollars(pl.PriceCents) + " / month",
		Included: views.Thousands(pl.MonthlyIncluded), DailyLimit: views.Thousands(pl.DailyLimit),
		RatePerMinute: views.Thousands(pl.RatePerMinute), MaxListRows: views.Thousands(pl.MaxListRows),
	}
	if pl.OverageCentsPer1000 > 0 && pl.MonthlyLimit > pl.MonthlyIncluded {
		fp.Overage = frontDollars(pl.OverageCentsPer1000) + " per 1,000 beyond that, up to " + views.Thousands(pl.MonthlyLimit)
	}
	return fp
}

// frontDollars formats US cents as "$1,249" or "$12.50".
func frontDollars(cents int) string {
	if cents%100 == 0 {
		return "$" + views.Thousands(cents/100)
	}
	return fmt.Sprintf("$%s.%02d", views.Thousands(cents/100), cents%100)
}
