package app

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/sessions"

	"mailvet/tenants"
)

const (
	sessionCookie = "mv_session"
	keyUserID     = "user_id"
	keyTenantID   = "tenant_id"
	// keySessionID carries the row's public id to handlers; never stored.
	keySessionID = "_session_id"
)

// sessionStore is a gorilla/sessions Store backed by the sessions table.
// The cookie holds a random secret; the table holds only its hash, so
// sessions are revocable and a database dump cannot be replayed.
type sessionStore struct {
	tenants *tenants.Store
	ttl     time.Duration
	secure  bool
}

func newSessionStore(t *tenants.Store, ttl time.Duration, secure bool) *sessionStore {
	return &sessionStore{tenants: t, ttl: ttl, secure: secure}
}

func (st *sessionStore) options() *sessions.Options {
	return &sessions.Options{
		Path:     "/",
		MaxAge:   int(st.ttl.Seconds()),
		HttpOnly: true,
		Secure:   st.secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// Get returns the request's session, loading it once per request.
func (st *sessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(st, name)
}

// New loads the session named by the cookie, or returns an empty one.
func (st *sessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	s := sessions.NewSession(st, name)
	s.Options = st.options()
	s.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return s, nil
	}
	row, err := st.tenants.SessionByToken(r.Context(), tenants.HashToken(c.Value))
	if errors.Is(err, tenants.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.ID = c.Value
	s.IsNew = false
	// The lifetime is absolute: the cookie ends when the row does, however
	// often the session is saved.
	s.Options.MaxAge = max(int(time.Until(row.ExpiresAt).Seconds()), 1)
	for k, v := range row.Data {
		s.Values[k] = v
	}
	s.Values[keyUserID] = row.UserID.String()
	if row.TenantID != nil {
		s.Values[keyTenantID] = row.TenantID.String()
	}
	s.Values[keySessionID] = row.ID.String()
	return s, nil
}

// Save writes the session: a new row (and cookie) for a fresh sign-in, an
// update otherwise, a delete when MaxAge < 0. Sessions without a user are
// not stored at all.
func (st *sessionStore) Save(r *http.Request, w http.ResponseWriter, s *sessions.Session) error {
	ctx := r.Context()
	if s.Options.MaxAge < 0 {
		if s.ID != "" {
			if err := st.tenants.DeleteSessionByToken(ctx, tenants.HashToken(s.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(s.Name(), "", s.Options))
		return nil
	}
	userID := uuidValue(s.Values[keyUserID])
	if userID == uuid.Nil {
		return nil
	}
	tenantID := uuidValue(s.Values[keyTenantID])
	data := map[string]any{}
	for k, v := range s.Values {
		if ks, ok := k.(string); ok && ks != keyUserID && ks != keyTenantID && ks != keySessionID {
			data[ks] = v
		}
	}
	if s.ID == "" {
		expires := time.Now().Add(time.Duration(s.Options.MaxAge) * time.Second)
		raw, hash := tenants.NewToken()
		row, err := st.tenants.CreateSession(ctx, tenants.NewSession{
			TokenHash: hash, UserID: userID, TenantID: tenantID, Data: data,
			IP: infoFrom(ctx).IP, UserAgent: r.UserAgent(), ExpiresAt: expires,
		})
		if err != nil {
			return err
		}
		s.ID = raw
		s.Values[keySessionID] = row.ID.String()
	} else if err := st.tenants.SaveSession(ctx, tenants.HashToken(s.ID), tenantID, data); err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(s.Name(), s.ID, s.Options))
	return nil
}

func uuidValue(v any) uuid.UUID {
	s, _ := v.(string)
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil
	}
	return id
}
