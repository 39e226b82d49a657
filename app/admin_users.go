package app

import (
	"net/http"
	"strconv"

	"github.com/google/uuid"

	"mailvet/platform"
	"mailvet/views"
)

// handleAdminUsers finds users by email or name.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	rows, err := s.Platform.Users(r.Context(), q, s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := views.AdminUsers{Q: q}
	for _, u := range rows {
		v.Rows = append(v.Rows, adminUserRow(u))
	}
	s.render(w, r, http.StatusOK, views.AdminUsersPage(s.page(w, r, "Users", "admin"), v))
}

func adminUserRow(u platform.UserRow) views.AdminUserRow {
	return views.AdminUserRow{ID: u.ID.String(), Email: u.Email, Name: u.Name, Created: formatTime(u.CreatedAt), Tenants: strconv.Itoa(u.Tenants),
		PlatformAdmin: u.PlatformAdmin, Locked: u.LockedAt != nil, Verified: u.Verified}
}

// handleAdminUser shows one user.
func (s *Server) handleAdminUser(w http.ResponseWriter, r *http.Request) {
	s.renderAdminUser(w, r, http.StatusOK, views.Form{})
}

func (s *Server) renderAdminUser(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, platform.ErrNotFound)
		return
	}
	d, err := s.Platform.User(r.Context(), id, s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := views.AdminUser{AdminUserRow: adminUserRow(d.UserRow), LockedReason: d.LockedReason, Self: id == pageFrom(r.Context()).user.ID, Form: f}
	for _, m := range d.Memberships {
		v.Memberships = append(v.Memberships, views.AdminMembership{TenantID: m.TenantID.String(), TenantName: m.TenantName, Slug: m.Slug,
			Status: m.Status, Role: m.Role})
	}
	s.render(w, r, status, views.AdminUserPage(s.page(w, r, d.Email, "admin"), v))
}

// handleAdminUserLock locks the user out with the reason given.
func (s *Server) handleAdminUserLock(w http.ResponseWriter, r *http.Request) {
	var in suspendForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.renderAdminUser(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	id, _ := uuid.Parse(r.PathValue("id"))
	if err := s.Tenants.LockUser(r.Context(), id, in.Reason, s.platformActor(r)); err != nil {
		if status, shown := s.formError(w, &f, err); shown {
			s.renderAdminUser(w, r, status, f)
			return
		}
		s.pageError(w, r, err)
		return
	}
	s.adminUserDone(w, r, id, "Account locked; its sessions ended.")
}

// handleAdminUserUnlock lets the user sign in again.
func (s *Server) handleAdminUserUnlock(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	if err := s.Tenants.UnlockUser(r.Context(), id, s.platformActor(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.adminUserDone(w, r, id, "Account unlocked.")
}

// handleAdminUserReset signs the user out and mails a reset link.
func (s *Server) handleAdminUserReset(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	if err := s.Tenants.ForcePasswordReset(r.Context(), id, s.platformActor(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.adminUserDone(w, r, id, "Signed out everywhere; a reset link was mailed.")
}

// handleAdminUserPlatformAdmin grants (?on=true) or revokes platform admin.
func (s *Server) handleAdminUserPlatformAdmin(w http.ResponseWriter, r *http.Request) {
	id, _ := uuid.Parse(r.PathValue("id"))
	on := r.URL.Query().Get("on") == "true"
	if err := s.Tenants.SetPlatformAdmin(r.Context(), id, on, s.platformActor(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	msg := "Platform admin revoked."
	if on {
		msg = "Platform admin granted."
	}
	s.adminUserDone(w, r, id, msg)
}

func (s *Server) adminUserDone(w http.ResponseWriter, r *http.Request, id uuid.UUID, msg string) {
	s.flash(w, r, msg)
	s.redirect(w, r, "/admin/users/"+id.String())
}

// handleAdminDeadLetters lists dead letters across tenants (?tenant= one).
func (s *Server) handleAdminDeadLetters(w http.ResponseWriter, r *http.Request) {
	tenantID, _ := uuid.Parse(r.URL.Query().Get("tenant"))
	rows, err := s.Platform.DeadLetters(r.Context(), tenantID, 0, s.platformActor(r))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var v views.AdminDeadLetters
	for _, d := range rows {
		v.Rows = append(v.Rows, views.AdminDeadLetter{ID: d.ID.String(), TenantID: d.TenantID.String(), TenantName: d.TenantName,
			EndpointURL: d.EndpointURL, EventType: d.EventType, Attempts: strconv.Itoa(d.Attempts), LastError: d.LastError,
			Finished: formatTimePtr(d.FinishedAt, "")})
	}
	s.render(w, r, http.StatusOK, views.AdminDeadLettersPage(s.page(w, r, "Dead letters", "admin"), v))
}

// handleAdminDeadLetterRetry sends one dead letter again.
func (s *Server) handleAdminDeadLetterRetry(w http.ResponseWriter, r *http.Request) {
	tenantID, _ := uuid.Parse(r.PathValue("tenant"))
	id, _ := uuid.Parse(r.PathValue("id"))
	if err := s.Webhooks.Retry(r.Context(), tenantID, id, s.platformActor(r)); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.flash(w, r, "The delivery is queued again.")
	s.redirect(w, r, "/admin/dead-letters")
}
