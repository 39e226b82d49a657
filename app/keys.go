package app

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"mailvet/tenants"
	"mailvet/views"
)

func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	s.renderKeys(w, r, http.StatusOK, views.Form{}, nil, "")
}

// renderKeys shows the keys page: f is the create form, created a secret
// to show once, problem why an action on a key was refused.
func (s *Server) renderKeys(w http.ResponseWriter, r *http.Request, status int, f views.Form, created *views.CreatedKey, problem string) {
	pc := pageFrom(r.Context())
	keys, err := s.Tenants.ListAPIKeys(r.Context(), pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The policy as it is now: a form on this page may just have changed it.
	t, err := s.Tenants.TenantByID(r.Context(), pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	k := keysView(t.Settings.KeyPolicy, pc.role.CanManage(), pc.user.Verified())
	k.Form, k.Created, k.Problem = f, created, problem
	for _, key := range keys {
		row := keyRow(key, t.Settings.KeyPolicy)
		k.Keys = append(k.Keys, row)
		if row.Status == "unrevealed" {
			k.Unrevealed = append(k.Unrevealed, row)
		}
	}
	s.render(w, r, status, views.KeysPage(s.page(w, r, "API keys", "keys"), k))
}

// keysView is the keys page without its keys: the create form's choices
// under the workspace's policy, and the policy form.
func keysView(p tenants.KeyPolicy, canManage, verified bool) views.Keys {
	k := views.Keys{CanManage: canManage, Verified: verified, RequiredDays: p.MaxLifetimeDays, DefaultExpiry: "never", Policy: policyForm(p)}
	if p.MaxLifetimeDays == 0 {
		k.Expiries = append(k.Expiries, views.Choice{Value: "never", Label: "Never"})
	}
	for _, days := range []int{30, 60, 90, 365} {
		if p.MaxLifetimeDays == 0 || days <= p.MaxLifetimeDays {
			k.Expiries = append(k.Expiries, views.Choice{Value: strconv.Itoa(days), Label: "In " + strconv.Itoa(days) + " days"})
			if p.MaxLifetimeDays > 0 {
				k.DefaultExpiry = strconv.Itoa(days) // the longest allowed
			}
		}
	}
	if p.MaxLifetimeDays > 0 && k.DefaultExpiry == "never" {
		k.DefaultExpiry = "date" // the limit is under 30 days: a date it is
	}
	k.Expiries = append(k.Expiries, views.Choice{Value: "date", Label: "On a date"})
	labels := map[string]string{tenants.ScopeVerify: "single verifications and the cache", tenants.ScopeLists: "bulk lists",
		tenants.ScopeRules: "allow and block rules", tenants.ScopeWebhooks: "webhook endpoints and events", tenants.ScopeKeys: "manage API keys"}
	for _, sc := range tenants.AllScopes() {
		k.Scopes = append(k.Scopes, views.Choice{Value: sc, Label: labels[sc], Checked: slices.Contains(tenants.DefaultScopes(), sc)})
	}
	return k
}

// rollGraces are the grace choices of a roll, up to the workspace's
// maximum (which is offered too when it is not one of them).
func rollGraces(max time.Duration) []views.Choice {
	var out []views.Choice
	for _, g := range []time.Duration{0, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour} {
		if g <= max {
			out = append(out, views.Choice{Value: graceValue(g), Label: graceLabel(g)})
		}
	}
	if last := out[len(out)-1]; last.Value != graceValue(max) {
		out = append(out, views.Choice{Value: graceValue(max), Label: graceLabel(max)})
	}
	pick := len(out) - 1
	for i, c := range out {
		if c.Value == "24h" {
			pick = i
		}
	}
	out[pick].Checked = true
	return out
}

func graceValue(g time.Duration) string {
	switch {
	case g == 0:
		return "now"
	case g%(24*time.Hour) == 0:
		return strconv.Itoa(int(g/(24*time.Hour))) + "d"
	}
	return strconv.Itoa(int(g/time.Hour)) + "h"
}

func graceLabel(g time.Duration) string {
	if g == 0 {
		return "Stop it now"
	}
	return "For " + tenants.HumanDuration(g)
}

func keyRow(k tenants.APIKey, p tenants.KeyPolicy) views.KeyRow {
	now := time.Now()
	row := views.KeyRow{
		ID: k.ID.String(), Name: k.Name, Mode: string(k.Mode), Prefix: k.Prefix,
		Created: formatTime(k.CreatedAt), LastUsed: formatTimePtr(k.LastUsedAt, "never"),
		Expires: formatTimePtr(k.ExpiresAt, ""), Revoked: k.RevokedAt != nil, RevokedAt: formatTimePtr(k.RevokedAt, ""),
		Scopes: strings.Join(k.Scopes, ", "), Status: "active",
	}
	expired := k.ExpiresAt != nil && !k.ExpiresAt.After(now)
	switch {
	case k.RevokedAt != nil:
		row.Status = "revoked"
	case expired:
		row.Status = "expired"
	case k.Unrevealed():
		row.Status = "unrevealed"
	case k.RolledAt != nil:
		row.Status = "grace"
		row.Stops, row.StopsAt = "in "+roughly(k.ExpiresAt.Sub(now)), k.ExpiresAt.UTC().Format(time.RFC3339)
		if k.LastUsedAt != nil && k.LastUsedAt.After(*k.RolledAt) {
			row.StillUsed = roughly(now.Sub(*k.LastUsedAt)) + " ago"
		}
	default:
		row.Graces = rollGraces(p.MaxGrace())
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

// roughly names a span in its largest whole unit: "3 days", "23 hours",
// "5 minutes", "less than a minute".
func roughly(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return tenants.HumanDuration(d.Truncate(24 * time.Hour))
	case d >= 2*time.Hour:
		return tenants.HumanDuration(d.Truncate(time.Hour))
	case d >= time.Minute:
		return tenants.HumanDuration(d.Truncate(time.Minute))
	}
	return "less than a minute"
}
