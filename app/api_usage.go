package app

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/usage"
)

// apiUsageCounts are the counters of a period, a key or the whole range.
type apiUsageCounts struct {
	Deliverable   int `json:"deliverable"`
	Undeliverable int `json:"undeliverable"`
	Risky         int `json:"risky"`
	Unknown       int `json:"unknown"`
	Total         int `json:"total"`
	CacheHits     int `json:"cache_hits"`
	Billable      int `json:"billable"`
}

func apiCounts(c usage.Counts) apiUsageCounts {
	return apiUsageCounts{Deliverable: c.Deliverable, Undeliverable: c.Undeliverable, Risky: c.Risky, Unknown: c.Unknown,
		Total: c.Total(), CacheHits: c.CacheHits, Billable: c.Billable}
}

type apiUsagePeriod struct {
	Period string `json:"period"` // first day of the period: the day, the week's Monday, the month's 1st
	apiUsageCounts
}

type apiUsageRates struct {
	apiUsageCounts
	SuccessRate  float64 `json:"success_rate"`
	CacheHitRate float64 `json:"cache_hit_rate"`
}

func apiRates(c usage.Counts) apiUsageRates {
	return apiUsageRates{apiUsageCounts: apiCounts(c), SuccessRate: rate(c.SuccessRate()), CacheHitRate: rate(c.CacheHitRate())}
}

// rate keeps four decimals: 0.8125.
func rate(f float64) float64 { return float64(int(f*10000+0.5)) / 10000 }

type apiUsageKey struct {
	// All four null for use without a key (the dashboard, lists uploaded on
	// the page).
	KeyID   *string `json:"key_id"`
	Name    *string `json:"name"`
	Prefix  *string `json:"prefix"`
	Mode    *string `json:"mode"`
	Revoked bool    `json:"revoked"`
	apiUsageRates
}

type apiUsageResponse struct {
	From        string                    `json:"from"`
	To          string                    `json:"to"`
	Granularity string                    `json:"granularity"`
	Series      []apiUsagePeriod          `json:"series"`
	Totals      apiUsageRates             `json:"totals"`
	BySource    map[string]apiUsageCounts `json:"by_source"`
	ByKey       []apiUsageKey             `json:"by_key"`
	Quota       *billing.Quota            `json:"quota"`
}

// handleAPIUsage reports the tenant's verifications from the usage
// rollups: ?from=YYYY-MM-DD&to=YYYY-MM-DD&granularity=day|week|month, all
// optional (the last 30 days, per day), ranges up to usage.MaxDays days.
func (s *Server) handleAPIUsage(w http.ResponseWriter, r *http.Request) {
	ac := apiFrom(r.Context())
	q := r.URL.Query()
	rng, err := usage.ParseRange(q.Get("from"), q.Get("to"), q.Get("granularity"), time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.Usage.Report(r.Context(), ac.tenant.ID, rng)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res := apiUsageResponse{
		From: rng.From.Format(time.DateOnly), To: rng.To.Format(time.DateOnly), Granularity: string(rng.Granularity),
		Series: make([]apiUsagePeriod, len(rep.Series)), Totals: apiRates(rep.Totals),
		BySource: map[string]apiUsageCounts{}, ByKey: make([]apiUsageKey, len(rep.ByKey)),
	}
	for i, p := range rep.Series {
		res.Series[i] = apiUsagePeriod{Period: p.Start.Format(time.DateOnly), apiUsageCounts: apiCounts(p.Counts)}
	}
	for _, src := range usage.Sources() {
		res.BySource[src] = apiCounts(rep.BySource[src])
	}
	for i, k := range rep.ByKey {
		row := apiUsageKey{Revoked: k.Revoked, apiUsageRates: apiRates(k.Counts)}
		if k.KeyID != uuid.Nil {
			id := k.KeyID.String()
			row.KeyID, row.Name, row.Prefix, row.Mode = &id, &k.Name, &k.Prefix, &k.Mode
		}
		res.ByKey[i] = row
	}
	if s.Billing != nil {
		quota, err := s.Billing.Usage(r.Context(), ac.tenant.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		res.Quota = &quota
	}
	writeJSON(w, http.StatusOK, res)
}
