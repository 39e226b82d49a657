package app

import (
	"fmt"
	"net/http"
	"strconv"

	"mailvet/tenants"
)

type cacheForm struct {
	Days string `form:"cache_ttl_days" validate:"required,oneof=-1 1 3 7 14 30 90"`
}

// handleCacheSettings sets how long verification results are reused.
func (s *Server) handleCacheSettings(w http.ResponseWriter, r *http.Request) {
	var in cacheForm
	_, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Unknown cache lifetime", "Choose one of the offered lifetimes.")
		return
	}
	pc := pageFrom(r.Context())
	settings := pc.tenant.Settings
	settings.CacheTTLDays, _ = strconv.Atoi(in.Days)
	if _, err := s.Tenants.UpdateTenant(r.Context(), pc.tenant.ID, pc.tenant.Name, settings, s.actor(r)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Cache setting saved.")
	s.redirect(w, r, "/settings")
}

// handleCacheClear forgets the tenant's cached results.
func (s *Server) handleCacheClear(w http.ResponseWriter, r *http.Request) {
	n, err := s.Verifications.ClearCache(r.Context(), pageFrom(r.Context()).tenant.ID, s.actor(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, fmt.Sprintf("Cache cleared: %d addresses forgotten.", n))
	s.redirect(w, r, "/settings")
}

// cacheTTLDays is the lifetime shown on the settings page.
func cacheTTLDays(st tenants.Settings) int {
	if st.CacheTTLDays == 0 {
		return tenants.DefaultCacheTTLDays
	}
	return st.CacheTTLDays
}
