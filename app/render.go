package app

import (
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"mailvet/views"
)

// page builds the layout data for the current request, taking any flash
// messages out of the session.
func (s *Server) page(w http.ResponseWriter, r *http.Request, title, nav string) views.Page {
	p := views.Page{Title: title, Nav: nav}
	pc := pageFrom(r.Context())
	if pc == nil {
		// Public pages still show who is signed in, if anyone.
		if loaded, err := s.loadPage(r); err == nil && loaded != nil && loaded.tenant.ID != uuid.Nil {
			pc = loaded
		} else {
			return p
		}
	}
	p.User = &views.UserInfo{Name: pc.user.Name, Email: pc.user.Email, Verified: pc.user.Verified(), PlatformAdmin: pc.user.PlatformAdmin}
	p.Tenant = &views.TenantInfo{ID: pc.tenant.ID.String(), Name: pc.tenant.Name, Slug: pc.tenant.Slug, Role: string(pc.role), CanManage: pc.role.CanManage()}
	p.BillingNotice = s.billingNotice(r, pc.tenant.ID)
	for _, tr := range pc.tenants {
		p.Tenants = append(p.Tenants, views.TenantChoice{ID: tr.Tenant.ID.String(), Name: tr.Tenant.Name, Role: string(tr.Role), Current: tr.Tenant.ID == pc.tenant.ID})
	}
	if flashes := pc.session.Flashes(); len(flashes) > 0 {
		msgs := make([]string, 0, len(flashes))
		for _, f := range flashes {
			if m, ok := f.(string); ok {
				msgs = append(msgs, m)
			}
		}
		p.Flash = strings.Join(msgs, " ")
		if err := pc.session.Save(r, w); err != nil {
			s.Log.Warn("clear flash", "err", err)
		}
	}
	return p
}

// render writes a component as the response.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := c.Render(views.WithBaseURL(r.Context(), s.BaseURL.String()), w); err != nil {
		s.Log.Error("render page", "request_id", infoFrom(r.Context()).ID, "err", err)
	}
}

// isHTMX reports whether htmx sent the request, so the answer is a
// fragment to swap rather than a whole page.
func isHTMX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// renderError shows a readable error page (or a problem for the API).
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, heading, message string) {
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		writeProblem(w, r, status, strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_"), heading, message)
		return
	}
	if isHTMX(r) {
		// htmx does not swap error responses by default; make it show the
		// message where the request came from.
		w.Header().Set("HX-Retarget", "#main")
		w.Header().Set("HX-Reswap", "innerHTML")
	}
	s.render(w, r, status, views.ErrorPage(s.page(w, r, heading, ""), status, heading, message))
}

func (s *Server) handlePageNotFound(w http.ResponseWriter, r *http.Request) {
	s.renderError(w, r, http.StatusNotFound, "Page not found", "There is nothing at this address.")
}

// formatTime renders a timestamp for tables.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2 Jan 2006 15:04 UTC")
}

func formatTimePtr(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return formatTime(*t)
}
