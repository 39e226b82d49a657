package app

import (
	"net/http"

	"mailvet/verifications"
)

type verifyRequest struct {
	Email string `json:"email" validate:"required,max=1024"`
}

// handleAPIVerify verifies one address: test keys answer from the local
// part, live keys ask the engine (or the tenant's cache) under a deadline.
// An unparseable address is a normal verification (invalid_syntax).
func (s *Server) handleAPIVerify(w http.ResponseWriter, r *http.Request) {
	var req verifyRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	ac := apiFrom(r.Context())
	res, quota, err := s.Verifications.Verify(r.Context(), verifications.Request{
		TenantID:  ac.tenant.ID,
		APIKeyID:  ac.key.ID,
		Email:     req.Email,
		TestMode:  ac.key.TestMode(),
		CacheTTL:  ac.tenant.CacheTTL(),
		KeyLimits: keyLimits(ac.key),
	})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.quotaHeaders(w, r, quota)
	writeJSON(w, http.StatusOK, res)
}

// handleAPICacheClear forgets the tenant's cached results.
func (s *Server) handleAPICacheClear(w http.ResponseWriter, r *http.Request) {
	n, err := s.Verifications.ClearCache(r.Context(), apiFrom(r.Context()).tenant.ID, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int64{"cleared": n})
}
