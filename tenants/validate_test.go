package tenants_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"mailvet/actor"
	"mailvet/tenants"
)

// wantInputError checks err is the validation error for field.
func wantInputError(t *testing.T, what, field string, err error) {
	t.Helper()
	var in *tenants.InputError
	if !errors.Is(err, tenants.ErrInvalidInput) || !errors.As(err, &in) || in.Field != field {
		t.Errorf("%s: %v, want an InputError for %s", what, err, field)
	}
}

// Names and addresses a person types are refused with a validation error
// when they hold a control character, before anything is written: a CR/LF
// in a tenant name used to be accepted and then make every invitation
// fail with 500, a NUL made PostgreSQL refuse the row (500 again).
func TestControlCharactersAreRefused(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	by := actorFor(owner).In(tn.ID)
	tenantsBefore, usersBefore := f.count(t, "SELECT count(*) FROM tenants"), f.count(t, "SELECT count(*) FROM users")

	for _, bad := range []string{"Acme\r\nBcc: x@evil.example", "Acme\x00", "Ac\tme", "Acme\x85", "Acme\xff"} {
		_, _, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: bad, Name: "Ann", Email: "ann@new.example", Password: goodPassword}, visitor())
		wantInputError(t, "sign-up company "+bad, "company", err)
		_, _, err = f.store.SignUp(ctx, tenants.SignUpInput{Company: "New", Name: bad, Email: "ann@new.example", Password: goodPassword}, visitor())
		wantInputError(t, "sign-up name "+bad, "name", err)
		_, err = f.store.UpdateTenant(ctx, tn.ID, bad, tenants.Settings{}, by)
		wantInputError(t, "rename "+bad, "name", err)
		_, err = f.store.CreateTenant(ctx, bad, owner.ID, actor.Operator())
		wantInputError(t, "CLI tenant "+bad, "name", err)
		_, _, err = f.store.CreateAPIKey(ctx, tn.ID, tenants.NewKeyInput{Name: bad, Mode: tenants.ModeLive}, by)
		wantInputError(t, "key name "+bad, "key_name", err)
		_, err = f.store.CreateUser(ctx, "cli@new.example", bad, goodPassword, false, actor.Operator())
		wantInputError(t, "CLI user name "+bad, "name", err)
	}
	for _, bad := range []string{"ann@new.example\r\nBcc: x@evil.example", "ann\x00@new.example", "ann@new.exam\vple"} {
		_, _, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: "New", Name: "Ann", Email: bad, Password: goodPassword}, visitor())
		wantInputError(t, "sign-up email", "email", err)
		_, err = f.store.CreateInvite(ctx, tn.ID, bad, actor.RoleMember, by)
		wantInputError(t, "invite email", "email", err)
		_, err = f.store.UpdateTenant(ctx, tn.ID, "Acme", tenants.Settings{TechnicalEmail: bad}, by)
		wantInputError(t, "technical email", "technical_email", err)
		wantInputError(t, "reset request", "email", f.store.RequestPasswordReset(ctx, bad))
		if _, err := f.store.Authenticate(ctx, bad, goodPassword, visitor()); !errors.Is(err, tenants.ErrInvalidCredentials) {
			t.Errorf("sign-in with %q: %v, want ErrInvalidCredentials", bad, err)
		}
	}

	// An invited person's name, too.
	if _, err := f.store.CreateInvite(ctx, tn.ID, "mia@example.com", actor.RoleMember, by); err != nil {
		t.Fatal(err)
	}
	raw := tokenFrom(t, f.lastLink(t, "mia@example.com"))
	_, _, err := f.store.AcceptInviteAsNewUser(ctx, raw, "Mia\r\nBcc: x@evil.example", "mia's own passphrase", visitor())
	wantInputError(t, "invited name", "name", err)

	if n := f.count(t, "SELECT count(*) FROM tenants"); n != tenantsBefore {
		t.Errorf("tenants %d -> %d after refused input", tenantsBefore, n)
	}
	if n := f.count(t, "SELECT count(*) FROM users"); n != usersBefore {
		t.Errorf("users %d -> %d after refused input", usersBefore, n)
	}
	if got, _ := f.store.TenantByID(ctx, tn.ID); got.Name != "Acme" {
		t.Errorf("tenant renamed to %q", got.Name)
	}
	// Ordinary non-ASCII names pass.
	if _, err := f.store.UpdateTenant(ctx, tn.ID, "Ärzte & Söhne – 東京", tenants.Settings{}, by); err != nil {
		t.Fatalf("non-ASCII name: %v", err)
	}
}

// A tenant whose name got a line break before names were checked can still
// invite people: the mail subject takes the name on one line.
func TestInviteFromATenantWithAnOldLineBreakInItsName(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	owner, tn := f.signUp(t, "Acme", "owner@example.com")
	f.exec(t, "UPDATE tenants SET name = $1 WHERE id = $2", "Acme\r\nInc", tn.ID)
	if _, err := f.store.CreateInvite(ctx, tn.ID, "mia@example.com", actor.RoleMember, actorFor(owner).In(tn.ID)); err != nil {
		t.Fatalf("invite: %v", err)
	}
	if !strings.Contains(f.lastMail(t, "mia@example.com"), "/invites/") {
		t.Fatal("no invitation queued")
	}
}

// A user agent longer than the column keeps is cut on a character
// boundary: a byte cut in the middle of "ä" used to make PostgreSQL refuse
// the session (invalid UTF-8).
func TestLongUserAgentIsCutOnACharacter(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, tn := f.signUp(t, "Acme", "ann@example.com")
	ua := strings.Repeat("ä", 600) // 1200 bytes; 512 falls after a whole "ä", 511 inside one
	for _, prefix := range []string{"", "x"} {
		_, hash := tenants.NewToken()
		s, err := f.store.CreateSession(ctx, tenants.NewSession{TokenHash: hash, UserID: u.ID, TenantID: tn.ID, UserAgent: prefix + ua, ExpiresAt: farFuture()})
		if err != nil {
			t.Fatalf("session with a long user agent: %v", err)
		}
		if len(s.UserAgent) > 512 || !utf8.ValidString(s.UserAgent) || !strings.HasPrefix(prefix+ua, s.UserAgent) {
			t.Fatalf("stored user agent: %d bytes, valid=%v", len(s.UserAgent), utf8.ValidString(s.UserAgent))
		}
	}
}
