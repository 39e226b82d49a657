package app

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"mailvet/tenants"
	"mailvet/views"
)

// operatorForm is the tenant's operator settings; blank fields are the
// platform's defaults (zero), checked by the domain.
type operatorForm struct {
	MaxConnsPerMX int    `form:"max_conns_per_mx" validate:"min=0"`
	CacheMinDays  int    `form:"cache_ttl_min_days" validate:"min=0"`
	CacheMaxDays  int    `form:"cache_ttl_max_days" validate:"min=0"`
	Networks      string `form:"webhook_allow_cidrs" validate:"max=2000"`
}

// handleAdminOperatorSettings saves the tenant's operator settings.
func (s *Server) handleAdminOperatorSettings(w http.ResponseWriter, r *http.Request) {
	var in operatorForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderAdminTenantWith(w, r, http.StatusUnprocessableEntity, adminForms{operator: f})
		return
	}
	id, _ := uuid.Parse(r.PathValue("id"))
	o := tenants.OperatorSettings{MaxConnsPerMX: in.MaxConnsPerMX, CacheTTLMinDays: in.CacheMinDays, CacheTTLMaxDays: in.CacheMaxDays}
	for _, n := range strings.FieldsFunc(in.Networks, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		o.WebhookAllowCIDRs = append(o.WebhookAllowCIDRs, n)
	}
	if _, err := s.Tenants.SetOperatorSettings(r.Context(), id, o, s.platformActor(r)); err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderAdminTenantWith(w, r, status, adminForms{operator: f})
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "Operator settings saved.")
	s.redirect(w, r, "/admin/tenants/"+id.String())
}

// adminOperator is the operator settings card: the submitted form, or one
// filled from the tenant's settings.
func (s *Server) adminOperator(r *http.Request, tenantID uuid.UUID, f views.Form) (views.AdminOperator, error) {
	v := views.AdminOperator{Form: f, PlatformMaxConns: strconv.Itoa(s.SMTPMaxConnsPerHost),
		MaxConnsLimit: strconv.Itoa(tenants.MaxConnsPerMXLimit), MaxCacheDays: strconv.Itoa(tenants.MaxCacheTTLDays)}
	if s.SMTPMaxConnsPerHost == 0 {
		v.PlatformMaxConns = "the engine's default"
	}
	if len(f.Values) > 0 {
		return v, nil
	}
	t, err := s.Tenants.TenantByID(r.Context(), tenantID)
	if err != nil {
		return v, err
	}
	blankZero := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	o := t.Operator
	v.Form = views.Form{Values: map[string]string{"max_conns_per_mx": blankZero(o.MaxConnsPerMX),
		"cache_ttl_min_days": blankZero(o.CacheTTLMinDays), "cache_ttl_max_days": blankZero(o.CacheTTLMaxDays),
		"webhook_allow_cidrs": strings.Join(o.WebhookAllowCIDRs, ", ")}}
	return v, nil
}
