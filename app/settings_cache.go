package app

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"mailvet/tenants"
	"mailvet/views"
)

type cacheForm struct {
	Days string `form:"cache_ttl_days" validate:"required,numeric"` // one of cacheChoices, checked by the handler
}

// handleCacheSettings sets how long verification results are reused.
func (s *Server) handleCacheSettings(w http.ResponseWriter, r *http.Request) {
	var in cacheForm
	_, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pc := pageFrom(r.Context())
	days, _ := strconv.Atoi(in.Days)
	if _, choices, _ := cacheChoices(pc.tenant); !ok || !slices.ContainsFunc(choices, func(c views.CacheChoice) bool { return c.Days == days }) {
		s.renderError(w, r, http.StatusUnprocessableEntity, "Unknown cache lifetime", "Choose one of the offered lifetimes.")
		return
	}
	settings := pc.tenant.Settings
	settings.CacheTTLDays = days
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

// cacheChoices are the settings page's cache lifetimes: the one in force
// (the tenant's choice held within its operator's bounds), those it may
// choose, and the bounds said when there are any.
func cacheChoices(t tenants.Tenant) (inForce int, choices []views.CacheChoice, bounds string) {
	inForce = int(t.CacheTTL() / (24 * time.Hour))
	if inForce == 0 {
		inForce = -1
	}
	offered := false
	for _, c := range views.CacheChoices() {
		if t.CacheDaysAllowed(c.Days) || c.Days == inForce {
			choices = append(choices, c)
			offered = offered || c.Days == inForce
		}
	}
	if !offered { // a bound between the usual choices
		choices = append([]views.CacheChoice{{Days: inForce, Label: fmt.Sprintf("%d days", inForce)}}, choices...)
	}
	o := t.Operator
	switch {
	case o.CacheTTLMinDays > 0 && o.CacheTTLMaxDays > 0:
		bounds = fmt.Sprintf("Between %d and %d days on this workspace, as agreed with mailvet support.", o.CacheTTLMinDays, o.CacheTTLMaxDays)
	case o.CacheTTLMinDays > 0:
		bounds = fmt.Sprintf("At least %d days on this workspace, as agreed with mailvet support.", o.CacheTTLMinDays)
	case o.CacheTTLMaxDays > 0:
		bounds = fmt.Sprintf("At most %d days on this workspace, as agreed with mailvet support.", o.CacheTTLMaxDays)
	}
	return inForce, choices, bounds
}
