package app

import (
	"net/http"

	"github.com/google/uuid"

	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/views"
)

type verifyForm struct {
	Email string `form:"email" validate:"required,max=1024"`
}

// handleVerifyPage runs one live verification from the dashboard box. The
// box is swapped by HTMX; without JS the dashboard is shown with it.
func (s *Server) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	var in verifyForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var shown *views.VerifyResult
	if ok {
		pc := pageFrom(r.Context())
		res, _, err := s.Verifications.Verify(r.Context(), verifications.Request{
			TenantID: pc.tenant.ID, APIKeyID: uuid.Nil, Email: in.Email,
			CacheTTL: pc.tenant.CacheTTL(),
		})
		if err != nil {
			if _, known := s.formError(w, &f, err); !known {
				s.fail(w, r, err)
				return
			}
		} else {
			shown = verifyView(res)
		}
	}
	if isHTMX(r) {
		s.render(w, r, http.StatusOK, views.VerifyBox(f, shown))
		return
	}
	s.renderDashboard(w, r, f, shown)
}

func verifyView(r verify.Result) *views.VerifyResult {
	v := &views.VerifyResult{
		Email: r.Email, Normalized: r.Normalized, Status: string(r.Status), Reason: string(r.Reason),
		Score: r.Score, SMTPReply: r.SMTPReply, Detail: r.Detail, Cached: r.Cached, DurationMS: r.DurationMS,
	}
	if v.Normalized == "" {
		v.Normalized = r.Email
	}
	if r.MX != nil {
		v.MX = *r.MX
	}
	if r.Suggestion != nil {
		v.Suggestion = *r.Suggestion
	}
	for name, on := range map[string]bool{"disposable": r.Flags.Disposable, "role": r.Flags.Role, "free": r.Flags.Free, "catch-all": r.Flags.CatchAll} {
		if on {
			v.Flags = append(v.Flags, name)
		}
	}
	return v
}
