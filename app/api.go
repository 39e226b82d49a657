package app

import (
	"context"
	"net/http"
	"strings"
	"time"

	"mailvet/billing"
	"mailvet/tenants"
)

// apiCtx is the caller of an API request.
type apiCtx struct {
	key    tenants.APIKey
	tenant tenants.Tenant
	plan   *billing.Plan // nil when billing is not wired (tests of other parts)
}

func apiFrom(ctx context.Context) *apiCtx {
	ac, _ := ctx.Value(apiCtxKey).(*apiCtx)
	return ac
}

// requireAPIKey resolves `Authorization: Bearer mv_…` to a tenant and
// refuses a key without scope (empty: any key will do).
func (s *Server) requireAPIKey(scope string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, raw, found := strings.Cut(r.Header.Get("Authorization"), " ")
		if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(raw) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mailvet"`)
			writeProblem(w, r, http.StatusUnauthorized, "missing_api_key", "API key required",
				"Send your key as `Authorization: Bearer mv_live_…` (or mv_test_…). Create keys on the API keys page.")
			return
		}
		key, tenant, err := s.Tenants.AuthenticateKey(r.Context(), strings.TrimSpace(raw))
		if err != nil {
			s.apiKeyRefused(w, r, err)
			return
		}
		ri := infoFrom(r.Context())
		ri.Tenant = tenant.ID.String()
		ri.api.tenant, ri.api.key, ri.api.prefix, ri.api.route = tenant.ID, key.ID, key.Prefix, r.Pattern
		if scope != "" {
			if err := key.RequireScope(scope); err != nil {
				s.apiError(w, r, err)
				return
			}
		}
		ac := &apiCtx{key: key, tenant: tenant}
		if s.Billing != nil {
			plan, err := s.Billing.PlanFor(r.Context(), tenant.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			ac.plan = &plan
			if !s.takeKeyToken(w, r, key, plan) {
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), apiCtxKey, ac)))
	})
}

// apiKeyRefused answers a key that does not authenticate (the table says
// how); a 401 names the Bearer scheme.
func (s *Server) apiKeyRefused(w http.ResponseWriter, r *http.Request, err error) {
	if row, _ := s.classify(err); row.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="mailvet", error="invalid_token"`)
	}
	s.apiError(w, r, err)
}

type meResponse struct {
	Tenant struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Slug string `json:"slug"`
	} `json:"tenant"`
	Key struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Mode   string `json:"mode"`
		Prefix string `json:"prefix"`
		// What the key may call, and when it stops working (null: never;
		// after a roll, the end of its grace).
		Scopes    []string   `json:"scopes"`
		ExpiresAt *time.Time `json:"expires_at"`
		// The key's own limits; null: the plan's.
		Limits struct {
			RatePerMinute *int `json:"rate_per_minute"`
			DailyLimit    *int `json:"daily_limit"`
			MonthlyLimit  *int `json:"monthly_limit"`
		} `json:"limits"`
	} `json:"key"`
	Plan *billing.Plan `json:"plan,omitempty"` // absent when billing is not wired
}

// handleAPIMe tells a caller which tenant and key it is using.
func (s *Server) handleAPIMe(w http.ResponseWriter, r *http.Request) {
	ac := apiFrom(r.Context())
	var res meResponse
	res.Tenant.ID, res.Tenant.Name, res.Tenant.Slug = ac.tenant.ID.String(), ac.tenant.Name, ac.tenant.Slug
	res.Key.ID, res.Key.Name, res.Key.Mode, res.Key.Prefix = ac.key.ID.String(), ac.key.Name, string(ac.key.Mode), ac.key.Prefix
	res.Key.Scopes, res.Key.ExpiresAt = ac.key.Scopes, ac.key.ExpiresAt
	res.Key.Limits.RatePerMinute, res.Key.Limits.DailyLimit, res.Key.Limits.MonthlyLimit = ac.key.RatePerMinute, ac.key.DailyLimit, ac.key.MonthlyLimit
	res.Plan = ac.plan
	writeJSON(w, http.StatusOK, res)
}
