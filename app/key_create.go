package app

import (
	"errors"
	"net/http"
	"time"

	"mailvet/tenants"
	"mailvet/views"
)

type keyForm struct {
	Name      string `form:"name" validate:"required,max=100"`
	Mode      string `form:"mode" validate:"required,oneof=live test"`
	Expires   string `form:"expires" validate:"omitempty,oneof=never 30 60 90 365 date"`
	ExpiresOn string `form:"expires_on" validate:"max=10"`
	// ScopesShown says the form had the scope boxes (a form without them,
	// from a script, gets the default scopes).
	ScopesShown string   `form:"scopes_shown" validate:"max=1"`
	Scopes      []string `form:"scopes" validate:"max=10,dive,max=20"`
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
	for _, sc := range in.Scopes {
		f.Values["scopes:"+sc] = "1"
	}
	expiry, problem := expiryFromForm(in)
	if problem != "" && f.Errors["expires"] == "" {
		f.Errors["expires"], ok = problem, false
	}
	var scopes []string // nil: the default
	if in.ScopesShown != "" {
		scopes = append([]string{}, in.Scopes...)
		if len(scopes) == 0 && f.Errors["scopes"] == "" {
			f.Errors["scopes"], ok = "Choose at least one scope.", false
		}
	}
	if !ok {
		s.keyFormError(w, r, htmx, f)
		return
	}
	pc := pageFrom(r.Context())
	key, secret, err := s.Tenants.CreateAPIKey(r.Context(), pc.tenant.ID,
		tenants.NewKeyInput{Name: in.Name, Mode: tenants.KeyMode(in.Mode), Expiry: expiry, Scopes: scopes}, s.actor(r))
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
	created := views.CreatedKey{Key: keyRow(key, pc.tenant.Settings.KeyPolicy), Secret: secret, Verb: "created"}
	if htmx {
		s.render(w, r, http.StatusOK, views.KeyCreatedPartial(created, keysView(pc.tenant.Settings.KeyPolicy, true, true)))
		return
	}
	s.renderKeys(w, r, http.StatusCreated, views.Form{}, &created, "")
}

// expiryFromForm reads the expiry choice: a number of days, never, or a
// date (the key works through that day, UTC). Whether the workspace
// allows it is the domain's rule.
func expiryFromForm(in keyForm) (tenants.Expiry, string) {
	switch in.Expires {
	case "", "never":
		return tenants.Expiry{}, ""
	case "date":
		day, err := time.Parse("2006-01-02", in.ExpiresOn)
		if err != nil {
			return tenants.Expiry{}, "Pick the date the key stops working."
		}
		end := day.Add(24 * time.Hour)
		return tenants.Expiry{At: &end}, ""
	}
	e, err := tenants.ParseExpiresIn(in.Expires)
	if err != nil {
		return tenants.Expiry{}, "Choose when the key expires."
	}
	return e, ""
}

func (s *Server) keyFormError(w http.ResponseWriter, r *http.Request, htmx bool, f views.Form) {
	if htmx {
		// 200 so htmx swaps the form with its errors in place.
		pc := pageFrom(r.Context())
		s.render(w, r, http.StatusOK, views.KeyFormPartial(f, keysView(pc.tenant.Settings.KeyPolicy, true, true)))
		return
	}
	s.renderKeys(w, r, http.StatusUnprocessableEntity, f, nil, "")
}
