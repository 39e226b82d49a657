package app

import (
	"net/http"
	"strconv"

	"mailvet/billing"
	"mailvet/tenants"
)

// keyLimits are a key's own limits for the quota.
func keyLimits(k tenants.APIKey) billing.KeyLimits {
	return billing.KeyLimits{Daily: k.DailyLimit, Monthly: k.MonthlyLimit}
}

// quotaHeaders tells API clients what is left: from the quota this request
// counted against, or read fresh when it counted nothing.
func (s *Server) quotaHeaders(w http.ResponseWriter, r *http.Request, q *billing.Quota) {
	if s.Billing == nil {
		return
	}
	if q == nil {
		usage, err := s.Billing.RecentUsage(r.Context(), apiFrom(r.Context()).tenant.ID)
		if err != nil {
			// The answer itself stands; only its quota headers are missing.
			s.Log.Warn("quota headers", "request_id", infoFrom(r.Context()).ID, "err", err)
			return
		}
		q = &usage
	}
	w.Header().Set("Quota-Limit-Day", strconv.Itoa(q.DayLimit))
	w.Header().Set("Quota-Remaining-Day", strconv.Itoa(q.DayRemaining))
	w.Header().Set("Quota-Limit-Month", strconv.Itoa(q.MonthLimit))
	w.Header().Set("Quota-Remaining-Month", strconv.Itoa(q.MonthRemaining))
}
