package app

import (
	"errors"
	"net/http"

	"mailvet/tenants"
	"mailvet/views"
)

type keyForm struct {
	Name string `form:"name" validate:"required,max=100"`
	Mode string `form:"mode" validate:"required,oneof=live test"`
}

// handleKeyCreate makes a key and shows its secret once. With HTMX it
// answers with the partial that replaces the form; without, the full page.
func (s *Server) handleKeyCreate(w http.ResponseWriter, r *http.Request) {
	htmx := isHTMX(r)
	in := keyForm{Mode: "live"} // when the form sends no mode
	f, ok, err := s.decodeForm(w, r, &in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !ok {
		s.keyFormError(w, r, htmx, f)
		return
	}
	pc := pageFrom(r.Context())
	key, secret, err := s.Tenants.CreateAPIKey(r.Context(), pc.tenant.ID, tenants.NewKeyInput{Name: in.Name, Mode: tenants.KeyMode(in.Mode)}, s.actor(r))
	if errors.Is(err, tenants.ErrEmailNotVerified) {
		f.Error = "Verify your email address before creating keys."
		s.keyFormError(w, r, htmx, f)
		return
	}
	if err != nil {
		if _, shown := s.formError(w, &f, err, "key_name", "name"); shown {
			s.keyFormError(w, r, htmx, f)
			return
		}
		s.fail(w, r, err)
		return
	}
	created := views.CreatedKey{Key: keyRow(key), Secret: secret}
	if htmx {
		s.render(w, r, http.StatusOK, views.KeyCreatedPartial(created))
		return
	}
	s.renderKeys(w, r, http.StatusCreated, views.Form{}, &created)
}

func (s *Server) keyFormError(w http.ResponseWriter, r *http.Request, htmx bool, f views.Form) {
	if htmx {
		// 200 so htmx swaps the form with its errors in place.
		s.render(w, r, http.StatusOK, views.KeyFormPartial(f))
		return
	}
	s.renderKeys(w, r, http.StatusUnprocessableEntity, f, nil)
}
