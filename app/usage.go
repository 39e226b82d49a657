package app

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/usage"
	"mailvet/views"
)

// handleUsage shows the workspace's verifications over time from the
// usage rollups (?granularity=day|week|month&days=7|30|90|365), the rates,
// the use per API key and this month's cost.
func (s *Server) handleUsage(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	ctx := r.Context()
	q := r.URL.Query()
	g := usage.Granularity(q.Get("granularity"))
	if !g.Valid() {
		g = usage.Day
	}
	days := usage.DefaultDays
	if n, err := strconv.Atoi(q.Get("days")); err == nil && slices.Contains(views.UsageRanges(), n) {
		days = n
	}
	now := time.Now()
	rep, err := s.Usage.Report(ctx, pc.tenant.ID, usage.LastDays(days, g, now))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u := usageView(rep, days)
	if s.Billing != nil {
		cost, err := s.usageCost(ctx, pc.tenant.ID, now)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		u.Cost = &cost
	}
	s.render(w, r, http.StatusOK, views.UsagePage(s.page(w, r, "Usage", "usage"), u))
}

// usageCost is this month's bill so far: the plan's price plus overage on
// the quota counter (what Stripe is sent), as on the billing page.
func (s *Server) usageCost(ctx context.Context, tenantID uuid.UUID, now time.Time) (views.UsageCost, error) {
	plan, err := s.Billing.PlanFor(ctx, tenantID)
	if err != nil {
		return views.UsageCost{}, err
	}
	q, err := s.Billing.Usage(ctx, tenantID)
	if err != nil {
		return views.UsageCost{}, err
	}
	month, err := s.Usage.Totals(ctx, tenantID, usage.PeriodStart(now, usage.Month), now)
	if err != nil {
		return views.UsageCost{}, err
	}
	estimate := billing.Estimate(plan, q.MonthUsed)
	c := views.UsageCost{
		Plan: plan.Name, Month: now.UTC().Format("January 2006"), Price: billingDollars(plan.PriceCents),
		Used: views.Thousands(q.MonthUsed), Included: views.Thousands(q.MonthIncluded),
		UsedPercent: min(q.MonthUsed*100/max(q.MonthIncluded, 1), 100),
		Overage:     views.Thousands(q.OverageThisMonth), OverageCost: billingDollars(estimate - plan.PriceCents),
		Estimate: billingDollars(estimate), Billable: views.Thousands(month.Billable),
	}
	if plan.OverageCentsPer1000 > 0 && plan.MonthlyLimit > plan.MonthlyIncluded {
		c.OverageRate = billingDollars(plan.OverageCentsPer1000) + " per 1,000"
	}
	return c, nil
}

// usageLayers are the chart's stacked statuses, bottom up.
func usageLayers() []views.ChartLayer {
	return []views.ChartLayer{
		{Name: "Deliverable", Class: "bar-deliverable"}, {Name: "Risky", Class: "bar-risky"},
		{Name: "Unknown", Class: "bar-unknown"}, {Name: "Undeliverable", Class: "bar-undeliverable"},
	}
}

// usageView formats a report for the page.
func usageView(rep usage.Report, days int) views.Usage {
	g := rep.Granularity
	u := views.Usage{
		Granularity: string(g), Days: days, RangeLabel: rangeLabel(rep.From, rep.To),
		Total: views.Thousands(rep.Totals.Total()), Billable: views.Thousands(rep.Totals.Billable),
		SuccessRate: percent(rep.Totals.Deliverable, rep.Totals.Total()), CacheHitRate: percent(rep.Totals.CacheHits, rep.Totals.Total()),
		APIExample: "from=" + rep.From.Format(time.DateOnly) + "&to=" + rep.To.Format(time.DateOnly) + "&granularity=" + string(g),
	}
	in := views.BarChartInput{ID: "usage-chart", Title: "Verifications per " + string(g), Layers: usageLayers()}
	busiest := -1
	for i, p := range rep.Series {
		c := p.Counts
		full := periodLong(p.Start, g)
		if p.Start.Before(rep.From) {
			full += " (from " + rep.From.Format("2 Jan") + ")" // the range starts mid-period
		}
		in.Cols = append(in.Cols, views.ChartColumn{
			Label: periodShort(p.Start, g), Full: full,
			Values: []int{c.Deliverable, c.Risky, c.Unknown, c.Undeliverable},
		})
		u.Rows = append(u.Rows, views.UsageRow{
			Period: full, Deliverable: views.Thousands(c.Deliverable), Undeliverable: views.Thousands(c.Undeliverable),
			Risky: views.Thousands(c.Risky), Unknown: views.Thousands(c.Unknown), Total: views.Thousands(c.Total()),
			CacheHits: views.Thousands(c.CacheHits), Billable: views.Thousands(c.Billable),
		})
		if c.Total() > 0 && (busiest < 0 || c.Total() > rep.Series[busiest].Total()) {
			busiest = i
		}
	}
	in.Desc = "Stacked bars of verifications per " + string(g) + " by status (deliverable, risky, unknown, undeliverable), " +
		u.RangeLabel + ": " + u.Total + " in total."
	if busiest >= 0 {
		in.Desc += " The busiest " + string(g) + " was " + periodLong(rep.Series[busiest].Start, g) + " with " +
			views.Thousands(rep.Series[busiest].Total()) + "."
	}
	in.Desc += " The table below the chart lists every " + string(g) + "."
	u.Chart = views.NewBarChart(in)

	names := map[string]string{usage.SourceAPI: "API", usage.SourceList: "Lists", usage.SourceDashboard: "Dashboard", usage.SourceInbound: "CRM pushes"}
	for _, src := range usage.Sources() {
		c := rep.BySource[src]
		u.Sources = append(u.Sources, views.UsageSourceRow{Name: names[src], Total: views.Thousands(c.Total()),
			Share: percent(c.Total(), rep.Totals.Total()), Billable: views.Thousands(c.Billable)})
	}
	for _, k := range rep.ByKey {
		row := views.UsageKeyRow{
			Name: k.Name, Prefix: k.Prefix, Mode: k.Mode, Revoked: k.Revoked,
			Total: views.Thousands(k.Total()), Deliverable: views.Thousands(k.Deliverable), Undeliverable: views.Thousands(k.Undeliverable),
			Risky: views.Thousands(k.Risky), Unknown: views.Thousands(k.Unknown), CacheHits: views.Thousands(k.CacheHits),
			Billable: views.Thousands(k.Billable), SuccessRate: percent(k.Deliverable, k.Total()),
		}
		switch {
		case k.KeyID == uuid.Nil:
			row.Name, row.NoKey = "Without a key (dashboard, uploaded lists)", true
		case k.Name == "":
			row.Name = "Deleted key"
		}
		u.Keys = append(u.Keys, row)
	}
	return u
}

func percent(n, of int) string {
	if of == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(n)*100/float64(of), 'f', 1, 64) + "%"
}

func rangeLabel(from, to time.Time) string {
	if from.Year() == to.Year() {
		return from.Format("2 Jan") + " – " + to.Format("2 Jan 2006")
	}
	return from.Format("2 Jan 2006") + " – " + to.Format("2 Jan 2006")
}

func periodShort(start time.Time, g usage.Granularity) string {
	if g == usage.Month {
		return start.Format("Jan 2006")
	}
	return start.Format("2 Jan")
}

func periodLong(start time.Time, g usage.Granularity) string {
	switch g {
	case usage.Week:
		return "Week of " + start.Format("2 Jan 2006")
	case usage.Month:
		return start.Format("January 2006")
	}
	return start.Format("Mon 2 Jan 2006")
}
