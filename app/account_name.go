package app

import "net/http"

// nameForm's limit is tenants.MaxNameLength, which RenameUser enforces too.
type nameForm struct {
	Name string `form:"name" validate:"required,max=100"`
}

// handleNameChange renames the signed-in person (tenants.RenameUser checks
// and audits it).
func (s *Server) handleNameChange(w http.ResponseWriter, r *http.Request) {
	var in nameForm
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := http.StatusUnprocessableEntity
	if ok {
		pc := pageFrom(r.Context())
		_, err := s.Tenants.RenameUser(r.Context(), pc.user.ID, in.Name, s.actor(r))
		if err == nil {
			s.flash(w, r, "Name saved.")
			s.redirect(w, r, "/account")
			return
		}
		var shown bool
		if status, shown = s.formError(w, &f, err); !shown {
			s.fail(w, r, err)
			return
		}
	}
	s.renderAccount(w, r, status, f)
}
