package tenants_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"mailvet/actor"
	"mailvet/tenants"
)

func TestSignUpCreatesOwnerTenantAndQueuesVerification(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, tn, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: "Acme Widgets, Inc.", Name: "Ann", Email: " Ann@Example.COM ", Password: goodPassword}, actor.Actor{IP: "198.51.100.7"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Email != "Ann@example.com" || u.Verified() {
		t.Fatalf("user %+v", u)
	}
	if tn.Slug != "acme-widgets-inc" || tn.Status != "active" {
		t.Fatalf("tenant %+v", tn)
	}
	if role, err := f.store.RoleOf(ctx, tn.ID, u.ID); err != nil || role != actor.RoleOwner {
		t.Fatalf("role %v %v", role, err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action IN ('user.sign_up','tenant.created')", tn.ID); n != 2 {
		t.Fatalf("audit events = %d, want 2", n)
	}

	link := f.lastLink(t, "Ann@example.com")
	if !strings.HasPrefix(link, "/verify-email?token=") {
		t.Fatalf("link %s", link)
	}
	verified, err := f.store.VerifyEmail(ctx, tokenFrom(t, link))
	if err != nil || !verified.Verified() {
		t.Fatalf("verify: %+v %v", verified, err)
	}
	if _, err := f.store.VerifyEmail(ctx, tokenFrom(t, link)); !errors.Is(err, tenants.ErrInvalidLink) {
		t.Fatalf("second use of link: %v, want ErrInvalidLink", err)
	}

	// Same company name again gets its own slug.
	_, tn2, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: "Acme Widgets Inc", Email: "bob@example.com", Password: goodPassword}, visitor())
	if err != nil {
		t.Fatal(err)
	}
	if tn2.Slug != "acme-widgets-inc-2" {
		t.Fatalf("second slug %q", tn2.Slug)
	}
}

func TestSignUpBadInputChangesNothing(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.signUp(t, "First", "taken@example.com")
	before := f.count(t, "SELECT count(*) FROM tenants")

	_, _, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: "Second", Email: "TAKEN@example.com", Password: goodPassword}, visitor())
	if !errors.Is(err, tenants.ErrEmailTaken) {
		t.Fatalf("duplicate email (other case): %v", err)
	}
	_, _, err = f.store.SignUp(ctx, tenants.SignUpInput{Company: "Third", Email: "new@example.com", Password: "short"}, visitor())
	var pwErr *tenants.PasswordError
	if !errors.As(err, &pwErr) || !strings.Contains(pwErr.Reason, "at least 10") {
		t.Fatalf("weak password: %v", err)
	}
	if after := f.count(t, "SELECT count(*) FROM tenants"); after != before {
		t.Fatalf("tenants %d -> %d after refused sign-ups", before, after)
	}
}

func TestPasswordRules(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                  false,
		"password123":            false,
		"annabelle-is-great":     false, // contains the local part
		"correct horse battery":  true,
		strings.Repeat("x", 129): false,
	} {
		err := tenants.CheckPassword(pw, "annabelle@example.com")
		if (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v, want ok=%v", pw, err, ok)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, tn := f.signUp(t, "Acme", "ann@example.com")

	got, err := f.store.Authenticate(ctx, "ANN@example.com", goodPassword, actor.Actor{IP: "203.0.113.5"})
	if err != nil || got.ID != u.ID {
		t.Fatalf("good credentials: %v", err)
	}
	if _, err := f.store.Authenticate(ctx, "ann@example.com", "wrong password!", actor.Actor{IP: "203.0.113.5"}); !errors.Is(err, tenants.ErrInvalidCredentials) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := f.store.Authenticate(ctx, "nobody@example.com", goodPassword, visitor()); !errors.Is(err, tenants.ErrInvalidCredentials) {
		t.Fatalf("unknown email: %v", err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id = $1 AND action = 'user.sign_in_failed' AND ip = '203.0.113.5'", tn.ID); n != 1 {
		t.Fatalf("failed sign-in events in tenant = %d, want 1", n)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE tenant_id IS NULL AND action = 'user.sign_in_failed'"); n != 1 {
		t.Fatalf("platform failed sign-in events = %d, want 1", n)
	}
}

func TestPasswordResetEndsSessions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, tn := f.signUp(t, "Acme", "ann@example.com")
	_, hash := tenants.NewToken()
	if _, err := f.store.CreateSession(ctx, tenants.NewSession{TokenHash: hash, UserID: u.ID, TenantID: tn.ID, ExpiresAt: farFuture()}); err != nil {
		t.Fatal(err)
	}

	w := f.startWorker(t)
	if err := f.store.RequestPasswordReset(ctx, "nobody@example.com"); err != nil {
		t.Fatalf("unknown address must not error: %v", err)
	}
	if err := f.store.RequestPasswordReset(ctx, "ann@example.com"); err != nil {
		t.Fatal(err)
	}
	tok := tokenFrom(t, w.resetLink(t, "ann@example.com"))
	if err := f.store.CheckResetLink(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ResetPassword(ctx, tok, "tiny", visitor()); err == nil {
		t.Fatal("weak new password accepted")
	}
	// The refused attempt did not use the link up.
	if _, err := f.store.ResetPassword(ctx, tok, "a much better passphrase", visitor()); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.ResetPassword(ctx, tok, "another good passphrase", visitor()); !errors.Is(err, tenants.ErrInvalidLink) {
		t.Fatalf("reused reset link: %v", err)
	}
	if _, err := f.store.SessionByToken(ctx, hash); !errors.Is(err, tenants.ErrNotFound) {
		t.Fatalf("session survived reset: %v", err)
	}
	if _, err := f.store.Authenticate(ctx, "ann@example.com", "a much better passphrase", visitor()); err != nil {
		t.Fatal(err)
	}
}

func TestChangePassword(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	u, _ := f.signUp(t, "Acme", "ann@example.com")
	err := f.store.ChangePassword(ctx, u.ID, "not my password", "new passphrase ok", [16]byte{}, actorFor(u))
	if !errors.Is(err, tenants.ErrCurrentPassword) {
		t.Fatalf("wrong current: %v", err)
	}
	if err := f.store.ChangePassword(ctx, u.ID, goodPassword, "new passphrase ok", [16]byte{}, actorFor(u)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Authenticate(ctx, u.Email, "new passphrase ok", visitor()); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "SELECT count(*) FROM audit_events WHERE action = 'user.password_changed' AND actor_id = $1", u.ID); n != 1 {
		t.Fatalf("password change audit events = %d", n)
	}
}

// Each refusal says what is wrong with this password, not the rule again.
func TestPasswordErrorsSayWhatIsWrong(t *testing.T) {
	for pw, want := range map[string]string{
		"seven77":                "Password is too short: 7 characters, at least 10.",
		"x":                      "Password is too short: 1 character, at least 10.",
		strings.Repeat("x", 129): "Password is too long: 129 characters, at most 128.",
		"Password123":            "leaked passwords",
		"annabelle-is-great":     "contains your email address",
	} {
		err := tenants.CheckPassword(pw, "annabelle@example.com")
		var pwErr *tenants.PasswordError
		if !errors.As(err, &pwErr) || !strings.Contains(pwErr.Reason, want) || strings.Contains(pwErr.Reason, tenants.PasswordRule) {
			t.Errorf("CheckPassword(%q) = %v, want a reason with %q", pw, err, want)
		}
	}
}
