package app

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/google/uuid"
	"github.com/gorilla/sessions"

	"mailvet/actor"
	"mailvet/tenants"
)

// pageCtx is the signed-in person, their current tenant and session.
type pageCtx struct {
	session   *sessions.Session
	sessionID uuid.UUID
	user      tenants.User
	tenant    tenants.Tenant
	role      actor.Role
	tenants   []tenants.TenantRole
}

func pageFrom(ctx context.Context) *pageCtx {
	pc, _ := ctx.Value(pageCtxKey).(*pageCtx)
	return pc
}

// actor is who acts in this request, from where: the signed-in member
// with their role in the current tenant, or the API key (which acts as an
// admin; a test key only on test-mode data). Before sign-in it has no kind:
// the domain takes only its IP and user agent then, and refuses it
// anything that needs an actor.
func (s *Server) actor(r *http.Request) actor.Actor {
	var a actor.Actor
	switch pc, ac := pageFrom(r.Context()), apiFrom(r.Context()); {
	case pc != nil:
		a = actor.User(pc.user.ID, pc.user.Email, pc.role).In(pc.tenant.ID)
	case ac != nil:
		a = ac.key.Actor()
	}
	info := infoFrom(r.Context())
	return a.From(info.IP, r.UserAgent()).ForRequest(info.ID)
}

// loadPage resolves the session cookie to a user and tenant. It returns nil
// when nobody is signed in.
func (s *Server) loadPage(r *http.Request) (*pageCtx, error) {
	sess, err := s.sessions.Get(r, sessionCookie)
	if err != nil {
		return nil, err
	}
	userID := uuidValue(sess.Values[keyUserID])
	if sess.IsNew || userID == uuid.Nil {
		return nil, nil
	}
	user, err := s.Tenants.UserByID(r.Context(), userID)
	if errors.Is(err, tenants.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	trs, err := s.Tenants.TenantsForUser(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	pc := &pageCtx{session: sess, sessionID: uuidValue(sess.Values[keySessionID]), user: user, tenants: trs}
	current := uuidValue(sess.Values[keyTenantID])
	for _, tr := range trs {
		if tr.Tenant.ID == current || pc.tenant.ID == uuid.Nil {
			pc.tenant, pc.role = tr.Tenant, tr.Role
		}
		if tr.Tenant.ID == current {
			break
		}
	}
	return pc, nil
}

// requireUser lets signed-in people through and sends others to log in.
func (s *Server) requireUser(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pc, err := s.loadPage(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if pc == nil {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet {
				next = "/dashboard"
			}
			s.redirect(w, r, "/login?next="+url.QueryEscape(next))
			return
		}
		if pc.tenant.ID == uuid.Nil {
			s.renderError(w, r, http.StatusForbidden, "No team", "Your account no longer belongs to any team. Ask an owner to invite you again, or sign up to create a new one.")
			return
		}
		if !pc.tenant.Active() {
			s.renderError(w, r, http.StatusForbidden, "Account suspended", "This team's account is suspended. Contact support.")
			return
		}
		infoFrom(r.Context()).Tenant = pc.tenant.ID.String()
		h(w, r.WithContext(context.WithValue(r.Context(), pageCtxKey, pc)))
	})
}

// redirect sends the browser elsewhere; for HTMX requests it asks htmx to
// do a full navigation.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", to)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// startSession signs a user in with a brand-new session id, discarding the
// one the browser had (so a planted cookie cannot be fixed on the victim).
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, userID, tenantID uuid.UUID, flash string) error {
	if old, _ := s.sessions.Get(r, sessionCookie); old != nil && old.ID != "" {
		_ = s.Tenants.DeleteSessionByToken(r.Context(), tenants.HashToken(old.ID))
	}
	sess := sessions.NewSession(s.sessions, sessionCookie)
	sess.Options = s.sessions.options()
	sess.Values[keyUserID] = userID.String()
	if tenantID != uuid.Nil {
		sess.Values[keyTenantID] = tenantID.String()
	}
	if flash != "" {
		sess.AddFlash(flash)
	}
	return s.sessions.Save(r, w, sess)
}

// flash queues a one-off message for the next page.
func (s *Server) flash(w http.ResponseWriter, r *http.Request, msg string) {
	pc := pageFrom(r.Context())
	if pc == nil {
		return
	}
	pc.session.AddFlash(msg)
	if err := pc.session.Save(r, w); err != nil {
		s.Log.Warn("save flash", "err", err)
	}
}
