package app

import (
	"net/http"
	"time"

	"github.com/google/uuid"

	"mailvet/tenants"
)

// apiKeyJSON is a key as the API shows it: never its secret.
type apiKeyJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Mode string `json:"mode"`
	// Prefix is null for a successor of automatic rotation nobody has
	// revealed yet (it has no secret, so no prefix, until then).
	Prefix     *string    `json:"prefix"`
	Scopes     []string   `json:"scopes"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	CreatedAt  time.Time  `json:"created_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	RolledAt   *time.Time `json:"rolled_at"`
	RolledFrom *string    `json:"rolled_from"`
}

func apiKeyView(k tenants.APIKey) apiKeyJSON {
	v := apiKeyJSON{ID: k.ID.String(), Name: k.Name, Mode: string(k.Mode), Scopes: k.Scopes, ExpiresAt: k.ExpiresAt,
		LastUsedAt: k.LastUsedAt, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt, RolledAt: k.RolledAt}
	if !k.Unrevealed() {
		v.Prefix = &k.Prefix
	}
	if k.RolledFrom != nil {
		from := k.RolledFrom.String()
		v.RolledFrom = &from
	}
	if v.Scopes == nil {
		v.Scopes = []string{}
	}
	return v
}

// createdKeyJSON is a new key with its secret, shown this once.
type createdKeyJSON struct {
	apiKeyJSON
	Key string `json:"key"`
}

// rolledKeyJSON is a roll's answer: the successor with its secret, and
// the old key, whose expires_at is the end of its grace.
type rolledKeyJSON struct {
	createdKeyJSON
	Previous apiKeyJSON `json:"previous"`
}

// newKeyRequest is POST /v1/api_keys. Scopes, expiry and mode are the
// domain's to judge (known scopes, the workspace's expiry rule, no more
// power than the calling key's), so the edge only decodes them.
type newKeyRequest struct {
	Name          string     `json:"name" validate:"required,max=100"`
	Mode          string     `json:"mode" validate:"omitempty,oneof=live test"`
	Scopes        []string   `json:"scopes"`
	ExpiresInDays int        `json:"expires_in_days"`
	ExpiresAt     *time.Time `json:"expires_at"`
}

type rollRequest struct {
	Grace string `json:"grace" validate:"required,max=20"`
}

// keyID reads {id}; a malformed one is not found, like another tenant's.
func keyID(r *http.Request) (uuid.UUID, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return uuid.Nil, tenants.ErrNotFound
	}
	return id, nil
}

func (s *Server) handleAPIKeys(w http.ResponseWriter, r *http.Request) {
	keys, err := s.Tenants.ListAPIKeys(r.Context(), apiFrom(r.Context()).tenant.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := make([]apiKeyJSON, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyView(k))
	}
	writeJSON(w, http.StatusOK, map[string]any{"api_keys": out})
}

// handleAPIKeyCreate makes a key: 201 with its secret. Without a mode it
// has the calling key's.
func (s *Server) handleAPIKeyCreate(w http.ResponseWriter, r *http.Request) {
	var req newKeyRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	ac := apiFrom(r.Context())
	mode := ac.key.Mode
	if req.Mode != "" {
		mode = tenants.KeyMode(req.Mode)
	}
	k, secret, err := s.Tenants.CreateAPIKey(r.Context(), ac.tenant.ID, tenants.NewKeyInput{Name: req.Name, Mode: mode, Scopes: req.Scopes,
		Expiry: tenants.Expiry{Days: req.ExpiresInDays, At: req.ExpiresAt}}, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, createdKeyJSON{apiKeyView(k), secret})
}

// handleAPIKeyRoll rolls a key: 201 with the successor and its secret,
// and the old key with the end of its grace.
func (s *Server) handleAPIKeyRoll(w http.ResponseWriter, r *http.Request) {
	id, err := keyID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var req rollRequest
	if !s.decodeJSON(w, r, &req) {
		return
	}
	grace, err := tenants.ParseGrace(req.Grace)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rolled, err := s.Tenants.RollAPIKey(r.Context(), apiFrom(r.Context()).tenant.ID, id, grace, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rolledKeyJSON{createdKeyJSON{apiKeyView(rolled.New), rolled.Secret}, apiKeyView(rolled.Old)})
}

// handleAPIKeyRevoke revokes a key at once and answers with it.
func (s *Server) handleAPIKeyRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := keyID(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	k, err := s.Tenants.RevokeAPIKey(r.Context(), apiFrom(r.Context()).tenant.ID, id, s.actor(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiKeyView(k))
}
