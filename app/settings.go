package app

import (
	"cmp"
	"net/http"
	"time"

	"mailvet/tenants"
	"mailvet/views"
)

type settingsForm struct {
	Name           string `form:"name" validate:"required,max=100"`
	TechnicalEmail string `form:"technical_email" validate:"omitempty,email,max=254"`
	TimeZone       string `form:"time_zone" validate:"max=64"`
}

func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	f := views.Form{Values: map[string]string{"name": pc.tenant.Name, "technical_email": pc.tenant.Settings.TechnicalEmail, "time_zone": pc.tenant.TimeZone}}
	s.renderSettings(w, r, http.StatusOK, f)
}

func (s *Server) renderSettings(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	pc := pageFrom(r.Context())
	stats, err := s.Verifications.StatsSince(r.Context(), pc.tenant.ID, time.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ts := views.TenantSettings{
		Name: pc.tenant.Name, Slug: pc.tenant.Slug, TechnicalEmail: pc.tenant.Settings.TechnicalEmail, TimeZone: pc.tenant.TimeZone, CanManage: pc.role.CanManage(),
		CachedAddresses: stats.CachedNow,
	}
	ts.CacheTTLDays, ts.CacheChoices, ts.CacheBounds = cacheChoices(pc.tenant)
	s.render(w, r, status, views.SettingsPage(s.page(w, r, "Settings", "settings"), ts, f))
}

func (s *Server) handleSettingsSave(w http.ResponseWriter, r *http.Request) {
	var in settingsForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderSettings(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	pc := pageFrom(r.Context())
	settings := pc.tenant.Settings
	settings.TechnicalEmail = in.TechnicalEmail
	zone := cmp.Or(in.TimeZone, pc.tenant.TimeZone)
	// The zone is checked before anything is saved, so that a refusal
	// changes nothing; then the details and the zone are saved in turn.
	err = tenants.CheckTimeZone(zone)
	if err == nil {
		_, err = s.Tenants.UpdateTenant(r.Context(), pc.tenant.ID, in.Name, settings, s.actor(r))
	}
	if err == nil {
		err = s.Tenants.SetTimeZone(r.Context(), pc.tenant.ID, zone, s.actor(r))
	}
	if err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderSettings(w, r, status, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.flash(w, r, "Settings saved.")
	s.redirect(w, r, "/settings")
}
