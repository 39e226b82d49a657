package app

import (
	"net/http"
	"strconv"
	"strings"

	"mailvet/tenants"
	"mailvet/views"
)

func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	s.renderKeys(w, r, http.StatusOK, views.Form{}, nil)
}

func (s *Server) renderKeys(w http.ResponseWriter, r *http.Request, status int, f views.Form, created *views.CreatedKey) {
	pc := pageFrom(r.Context())
	keys, err := s.Tenants.ListAPIKeys(r.Context(), pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	k := views.Keys{CanManage: pc.role.CanManage(), Verified: pc.user.Verified(), Form: f, Created: created}
	for _, key := range keys {
		k.Keys = append(k.Keys, keyRow(key))
	}
	s.render(w, r, status, views.KeysPage(s.page(w, r, "API keys", "keys"), k))
}

func keyRow(k tenants.APIKey) views.KeyRow {
	row := views.KeyRow{
		ID: k.ID.String(), Name: k.Name, Mode: string(k.Mode), Prefix: k.Prefix,
		Created: formatTime(k.CreatedAt), LastUsed: formatTimePtr(k.LastUsedAt, "never"),
		Expires: formatTimePtr(k.ExpiresAt, ""), Revoked: k.RevokedAt != nil, RevokedAt: formatTimePtr(k.RevokedAt, ""),
		Imported: k.ImportedAt != nil,
	}
	var summary []string
	for _, l := range []struct {
		n     *int
		value *string
		unit  string
	}{{k.RatePerMinute, &row.RateValue, "/min"}, {k.DailyLimit, &row.DailyValue, "/day"}, {k.MonthlyLimit, &row.MonthlyValue, "/month"}} {
		if l.n != nil {
			*l.value = strconv.Itoa(*l.n)
			summary = append(summary, views.Thousands(*l.n)+l.unit)
		}
	}
	row.Limits = "Plan's"
	if len(summary) > 0 {
		row.Limits = strings.Join(summary, " · ")
	}
	return row
}
