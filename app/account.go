package app

import (
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, http.StatusOK, views.Form{})
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, f views.Form) {
	pc := pageFrom(r.Context())
	list, err := s.Tenants.ListSessions(r.Context(), pc.user.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := views.Account{Name: pc.user.Name, Email: pc.user.Email, PasswordRule: tenants.PasswordRule}
	pending, ok, err := s.Tenants.PendingEmailChange(r.Context(), pc.user.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ok {
		a.PendingEmail, a.PendingUntil = pending.NewEmail, formatTime(pending.ExpiresAt)
	}
	var rows []views.AccountSession
	for _, sess := range list {
		rows = append(rows, views.AccountSession{
			SessionRow: views.SessionRow{
				ID: sess.ID.String(), IP: sess.IP, UserAgent: sess.UserAgent,
				Created: formatTime(sess.CreatedAt), LastSeen: formatTime(sess.LastSeenAt), Current: sess.ID == pc.sessionID,
			},
			Browser: browserLabel(sess.UserAgent),
		})
	}
	s.render(w, r, status, views.AccountPage(s.page(w, r, "Account", "account"), a, rows, f))
}
