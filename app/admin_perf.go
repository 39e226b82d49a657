package app

import (
	"fmt"
	"net/http"
	"time"

	"mailvet/perf"
	"mailvet/views"
)

// handleAdminPerformance shows the performance page.
func (s *Server) handleAdminPerformance(w http.ResponseWriter, r *http.Request) {
	if s.Perf == nil {
		s.handlePageNotFound(w, r)
		return
	}
	o, err := s.Perf.Overview(r.Context(), s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := views.AdminPerformance{Hour: routeRows(o.Hour, time.Hour), Day: routeRows(o.Day, 24*time.Hour), SlowThreshold: s.SlowQuery.String(),
		Requests: minuteChart("requests-chart", "API requests per minute", o.Requests, time.Now(), []views.ChartLayer{
			{Name: "2xx", Class: "bar-deliverable"}, {Name: "3xx", Class: "bar-unknown"}, {Name: "4xx", Class: "bar-risky"}, {Name: "5xx", Class: "bar-undeliverable"}}),
		Verifications: minuteChart("verifications-chart", "Verifications per minute", o.Verifications, time.Now(), []views.ChartLayer{
			{Name: "deliverable", Class: "bar-deliverable"}, {Name: "risky", Class: "bar-risky"},
			{Name: "undeliverable", Class: "bar-undeliverable"}, {Name: "unknown", Class: "bar-unknown"}}),
	}
	for _, q := range o.Queues {
		v.Queues = append(v.Queues, views.AdminQueueRow{Queue: q.Queue, Available: views.Thousands(q.Available),
			Lag: (time.Duration(q.LagSec) * time.Second).String()})
	}
	for _, q := range o.Slow {
		v.Slow = append(v.Slow, views.AdminSlowRow{When: formatTime(q.At), Duration: fmt.Sprintf("%d ms", q.Duration.Milliseconds()),
			Source: q.Label, Template: q.Template, Failed: q.Failed})
	}
	s.render(w, r, http.StatusOK, views.AdminPerformancePage(s.page(w, r, "Performance", "admin"), v))
}

func routeRows(figures []perf.RouteFigures, window time.Duration) []views.AdminRouteRow {
	rows := make([]views.AdminRouteRow, len(figures))
	for i, f := range figures {
		rows[i] = views.AdminRouteRow{Route: f.Route, Requests: views.Thousands(f.Requests), PerMinute: fmt.Sprintf("%.1f", f.PerMinute(window)),
			ErrorRate: fmt.Sprintf("%.1f %%", 100*f.ErrorRate()), P50: millis(f.P50), P95: millis(f.P95), P99: millis(f.P99)}
	}
	return rows
}

func millis(ms float64) string {
	if ms < 10 {
		return fmt.Sprintf("%.1f ms", ms)
	}
	return views.Thousands(int(ms+0.5)) + " ms"
}

// minuteChart lays out the last hour's minutes up to now, one column a
// minute, a layer per class (in layers' order).
func minuteChart(id, title string, minutes []perf.Minute, now time.Time, layers []views.ChartLayer) views.BarChart {
	index := map[string]int{}
	for i, l := range layers {
		index[l.Name] = i
	}
	end := now.UTC().Truncate(time.Minute)
	cols := make([]views.ChartColumn, 60)
	for i := range cols {
		at := end.Add(time.Duration(i-59) * time.Minute)
		cols[i] = views.ChartColumn{Label: at.Format("15:04"), Full: at.Format("15:04 UTC"), Values: make([]int, len(layers))}
	}
	for _, m := range minutes {
		col := 59 - int(end.Sub(m.At.UTC().Truncate(time.Minute))/time.Minute)
		if j, ok := index[m.Class]; ok && col >= 0 && col < len(cols) {
			cols[col].Values[j] += m.Counts
		}
	}
	for i := range cols {
		total := 0
		tip := cols[i].Full
		for j, n := range cols[i].Values {
			total += n
			if n > 0 {
				tip += fmt.Sprintf("\n%s: %s", layers[j].Name, views.Thousands(n))
			}
		}
		cols[i].Tip = fmt.Sprintf("%s: %s", tip, views.Thousands(total))
	}
	return views.NewBarChart(views.BarChartInput{ID: id, Title: title, Layers: layers, Cols: cols, EmptyText: "Nothing in the last hour",
		Desc: title + " over the last hour, one bar a minute, stacked by " + layers[0].Name + " and the others."})
}
