package app

import (
	"errors"
	"net/http"

	"github.com/google/uuid"

	"mailvet/tenants"
)

type inviteForm struct {
	Email string `form:"email" validate:"required,email,max=254"`
	Role  string `form:"role" validate:"required,oneof=admin member"`
}

func (s *Server) handleInviteCreate(w http.ResponseWriter, r *http.Request) {
	if !s.requireManager(w, r) {
		return
	}
	f, err := s.parseForm(w, r, "email", "role")
	if err != nil {
		s.badForm(w, r, err)
		return
	}
	if !s.check(&f, inviteForm{Email: f.Get("email"), Role: f.Get("role")}) {
		s.renderTeam(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	pc := pageFrom(r.Context())
	_, err = s.Tenants.CreateInvite(r.Context(), pc.tenant.ID, f.Get("email"), tenants.Role(f.Get("role")), s.actor(r))
	switch {
	case errors.Is(err, tenants.ErrAlreadyMember):
		f.Errors["email"] = "This person is already a member of the team."
		s.renderTeam(w, r, http.StatusUnprocessableEntity, f)
		return
	case err != nil:
		s.domainError(w, r, err)
		return
	}
	s.flash(w, r, "Invitation sent to "+f.Get("email")+".")
	s.redirect(w, r, "/team")
}

func (s *Server) handleInviteRevoke(w http.ResponseWriter, r *http.Request) {
	if !s.requireManager(w, r) {
		return
	}
	id, ok := s.pathID(w, r)
	if !ok {
		return
	}
	if err := s.Tenants.RevokeInvite(r.Context(), pageFrom(r.Context()).tenant.ID, id, s.actor(r)); err != nil {
		s.domainError(w, r, err)
		return
	}
	s.flash(w, r, "Invitation revoked.")
	s.redirect(w, r, "/team")
}

// pathID reads the {id} path value; a malformed one is simply not found.
func (s *Server) pathID(w http.ResponseWriter, r *http.Request) (uuid.UUID, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, http.StatusNotFound, "Not found", "There is nothing at this address.")
		return uuid.Nil, false
	}
	return id, true
}

// domainError maps the domain's refusals to pages.
func (s *Server) domainError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, tenants.ErrNotFound):
		s.renderError(w, r, http.StatusNotFound, "Not found", "There is nothing at this address.")
	case errors.Is(err, tenants.ErrForbidden):
		s.renderError(w, r, http.StatusForbidden, "Not allowed", "Your role does not allow this. Ask an owner.")
	case errors.Is(err, tenants.ErrLastOwner):
		s.renderError(w, r, http.StatusConflict, "A team needs an owner", "Make someone else an owner first: a team always keeps at least one.")
	case errors.Is(err, tenants.ErrEmailNotVerified):
		s.renderError(w, r, http.StatusForbidden, "Verify your email first", "Open the link we emailed you, or resend it from the banner at the top of the page.")
	default:
		s.serverError(w, r, err)
	}
}
