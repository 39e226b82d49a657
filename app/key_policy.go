package app

import (
	"net/http"
	"strconv"
	"time"

	"mailvet/tenants"
	"mailvet/views"
)

// keyPolicyFormIn is the key policy form: each a choice of the page's
// selects; "0" is none (or the default, for the graces).
type keyPolicyFormIn struct {
	MaxLifetimeDays    int `form:"max_lifetime_days" validate:"min=0"`
	MaxGraceHours      int `form:"max_grace_hours" validate:"min=0"`
	RotateAfterDays    int `form:"rotate_after_days" validate:"min=0"`
	RotationGraceHours int `form:"rotation_grace_hours" validate:"min=0"`
}

// handleKeyPolicy saves the workspace's key policy; the domain judges it.
func (s *Server) handleKeyPolicy(w http.ResponseWriter, r *http.Request) {
	var in keyPolicyFormIn
	if _, ok, err := s.decodeForm(w, r, &in); err != nil || !ok {
		s.keyPolicyRefused(w, r, err)
		return
	}
	pc := pageFrom(r.Context())
	p := tenants.KeyPolicy{MaxLifetimeDays: in.MaxLifetimeDays, MaxGraceHours: in.MaxGraceHours,
		RotateAfterDays: in.RotateAfterDays, RotationGraceHours: in.RotationGraceHours}
	if _, err := s.Tenants.SetKeyPolicy(r.Context(), pc.tenant.ID, p, s.actor(r)); err != nil {
		s.keyPolicyRefused(w, r, err)
		return
	}
	s.flash(w, r, "Key policy saved.")
	s.redirect(w, r, "/keys")
}

func (s *Server) keyPolicyRefused(w http.ResponseWriter, r *http.Request, err error) {
	row, _ := s.classify(err)
	if err != nil && (row.status == 0 || row.status >= 500) {
		s.fail(w, r, err)
		return
	}
	text := "Choose each setting from its list."
	if err != nil {
		text = row.pageText()
	}
	s.renderError(w, r, http.StatusUnprocessableEntity, "Key policy not saved", text)
}

// policyForm is the policy's form with its choices.
func policyForm(p tenants.KeyPolicy) views.KeyPolicyForm {
	days := func(none string, values ...int) []views.Choice {
		out := []views.Choice{{Value: "0", Label: none}}
		for _, v := range values {
			out = append(out, views.Choice{Value: strconv.Itoa(v), Label: strconv.Itoa(v) + " days"})
		}
		return out
	}
	hours := func(values ...int) []views.Choice {
		var out []views.Choice
		for _, v := range values {
			out = append(out, views.Choice{Value: strconv.Itoa(v), Label: tenants.HumanDuration(time.Duration(v) * time.Hour)})
		}
		return out
	}
	f := views.KeyPolicyForm{
		MaxLifetime: strconv.Itoa(p.MaxLifetimeDays), RotateAfter: strconv.Itoa(p.RotateAfterDays),
		MaxGrace: strconv.Itoa(int(p.MaxGrace().Hours())), RotationGrace: strconv.Itoa(int(p.RotationGrace().Hours())),
		Lifetimes: days("No requirement", 30, 60, 90, 180, 365), Rotations: days("Never", 30, 60, 90, 180, 365),
		Graces: hours(1, 24, 168, 720), RotationGraces: hours(1, 24, 168),
	}
	return f
}
