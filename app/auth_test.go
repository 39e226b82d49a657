package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mailvet/tenants"
)

func TestSignUpVerifyAndLogOut(t *testing.T) {
	h := newHarness(t)
	b := h.browser()
	expect(t, b.get("/signup"), http.StatusOK, `name="company"`, `name="password"`)

	// Bad input: each error next to its field, nothing created.
	res := b.post("/signup", url.Values{"company": {""}, "name": {"Ann"}, "email": {"not-an-email"}, "password": {"short"}})
	expect(t, res, http.StatusUnprocessableEntity, "This field is required.", "Enter a valid email address")
	res = b.post("/signup", url.Values{"company": {"Acme"}, "name": {"Ann"}, "email": {"ann@acme.test"}, "password": {"short"}})
	expect(t, res, http.StatusUnprocessableEntity, "Password is too short", "at least 10 characters")
	if n := countRows(t, h, "SELECT count(*) FROM users"); n != 0 {
		t.Fatalf("refused sign-ups created %d users", n)
	}

	res = b.post("/signup", url.Values{"company": {"Acme"}, "name": {"Ann"}, "email": {"ann@acme.test"}, "password": {password}})
	expectRedirect(t, res, "/dashboard")
	dash := b.get("/dashboard")
	expect(t, dash, http.StatusOK, "Acme", "verify your email")

	// A second sign-up with the same address, in another case, is refused.
	other := h.browser()
	res = other.post("/signup", url.Values{"company": {"Copycat"}, "name": {"X"}, "email": {"ANN@acme.test"}, "password": {password}})
	expect(t, res, http.StatusUnprocessableEntity, "already exists")

	link := h.mailedLink("ann@acme.test", "Verify")
	if !strings.HasPrefix(link, "/verify-email?token=") {
		t.Fatalf("verification link %q", link)
	}
	expect(t, b.get(link), http.StatusOK, "verified")
	expect(t, b.get(link), http.StatusNotFound, "invalid or has expired")
	expect(t, b.get("/verify-email?token=forged"), http.StatusNotFound, "invalid or has expired")

	expectRedirect(t, b.post("/logout", nil), "/login")
	expectRedirect(t, b.get("/dashboard"), "/login?next=%2Fdashboard")
}

func TestLogin(t *testing.T) {
	h := newHarness(t)
	h.signUp("Acme", "ann@acme.test")
	b := h.browser()
	expect(t, b.get("/login?next=/keys"), http.StatusOK, `value="/keys"`)

	for _, bad := range []url.Values{
		{"email": {"ann@acme.test"}, "password": {"wrong password"}},
		{"email": {"nobody@acme.test"}, "password": {password}},
	} {
		expect(t, b.post("/login", bad), http.StatusUnprocessableEntity, "Email or password is incorrect.")
	}
	expect(t, b.post("/login", url.Values{"email": {""}, "password": {""}}), http.StatusUnprocessableEntity, "This field is required.")

	// Off-site "next" values are ignored.
	res := b.post("/login", url.Values{"email": {"ANN@acme.test"}, "password": {password}, "next": {"//evil.test/x"}})
	expectRedirect(t, res, "/dashboard")
	expect(t, b.get("/keys"), http.StatusOK, "API keys")

	// Signing in again issues a new session id (no fixation).
	before := sessionCookie(t, h, b)
	expectRedirect(t, b.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}, "next": {"/team"}}), "/team")
	if after := sessionCookie(t, h, b); after == before {
		t.Fatal("session id kept across sign-in")
	}
	if n := countRows(t, h, "SELECT count(*) FROM audit_events WHERE action = 'user.sign_in_failed'"); n != 2 {
		t.Fatalf("failed sign-ins audited: %d, want 2", n)
	}
}

func TestAuthEndpointsAreThrottledPerIP(t *testing.T) {
	h := newHarness(t, harnessOptions{authRate: 3})
	b := h.browser()
	for range 3 {
		expect(t, b.post("/login", url.Values{"email": {"x@acme.test"}, "password": {"nope nope nope"}}), http.StatusUnprocessableEntity)
	}
	res := b.post("/login", url.Values{"email": {"x@acme.test"}, "password": {"nope nope nope"}})
	expect(t, res, http.StatusTooManyRequests, "Too many attempts")
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Sign-up shares the per-IP budget.
	expect(t, b.post("/signup", url.Values{"company": {"A"}, "name": {"A"}, "email": {"a@acme.test"}, "password": {password}}), http.StatusTooManyRequests)
	if n := countRows(t, h, "SELECT count(*) FROM users"); n != 0 {
		t.Fatal("throttled sign-up created a user")
	}
}

func TestForgotAndResetPassword(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	b := h.browser()

	expect(t, b.get("/forgot-password"), http.StatusOK, `name="email"`)
	expect(t, b.post("/forgot-password", url.Values{"email": {"bad"}}), http.StatusUnprocessableEntity, "Enter a valid email address")
	// The same answer for unknown and known addresses.
	expect(t, b.post("/forgot-password", url.Values{"email": {"nobody@acme.test"}}), http.StatusOK, "If an account exists")
	expect(t, b.post("/forgot-password", url.Values{"email": {"ann@acme.test"}}), http.StatusOK, "If an account exists")

	link := h.mailedLink("ann@acme.test", "Reset")
	token := strings.TrimPrefix(link, "/reset-password?token=")
	expect(t, b.get(link), http.StatusOK, `name="password"`)
	expect(t, b.get("/reset-password?token=nope"), http.StatusNotFound, "/forgot-password")
	expect(t, b.post("/reset-password", url.Values{"token": {token}, "password": {"short"}}), http.StatusUnprocessableEntity, "too short")
	expect(t, b.post("/reset-password", url.Values{"token": {token}, "password": {"a brand new passphrase"}}), http.StatusOK, "password is changed")
	expect(t, b.post("/reset-password", url.Values{"token": {token}, "password": {"another passphrase!"}}), http.StatusNotFound)

	// The reset signed the owner's old session out.
	expectRedirect(t, owner.get("/dashboard"), "/login?next=%2Fdashboard")
	expectRedirect(t, b.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {"a brand new passphrase"}}), "/dashboard")
}

func TestCrossOriginFormsAreRefused(t *testing.T) {
	h := newHarness(t)
	b := h.signUp("Acme", "ann@acme.test")
	res := b.post("/keys", url.Values{"name": {"k"}, "mode": {"live"}}, "Sec-Fetch-Site", "cross-site")
	expect(t, res, http.StatusForbidden, "another site")
	res = b.post("/settings", url.Values{"name": {"Evil"}}, "Origin", "https://evil.test")
	expect(t, res, http.StatusForbidden)
	if n := countRows(t, h, "SELECT count(*) FROM api_keys"); n != 0 {
		t.Fatal("cross-site request created a key")
	}
}

func TestOversizedFormIsRefused(t *testing.T) {
	h := newHarness(t, harnessOptions{maxBodyBytes: 2048})
	b := h.browser()
	res := b.post("/signup", url.Values{"company": {strings.Repeat("x", 5000)}, "name": {"A"}, "email": {"a@acme.test"}, "password": {password}})
	expect(t, res, http.StatusRequestEntityTooLarge, "Form too large")
}

func countRows(t *testing.T, h *harness, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.sys.QueryRow(t.Context(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func sessionCookie(t *testing.T, h *harness, b *browser) string {
	t.Helper()
	u, _ := url.Parse(h.srv.URL)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == "mv_session" {
			return c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// A refused password's error says what is wrong with it; the rule stays
// the field's help, shown once, not repeated in the error.
func TestWeakPasswordErrorIsNotTheHelpText(t *testing.T) {
	h := newHarness(t)
	res := h.browser().post("/signup", url.Values{"company": {"Acme"}, "name": {"Ann"}, "email": {"ann@acme.test"}, "password": {"seven77"}})
	expect(t, res, http.StatusUnprocessableEntity, "Password is too short: 7 characters, at least 10.", tenants.PasswordRule)
	if n := strings.Count(res.body, tenants.PasswordRule); n != 1 {
		t.Fatalf("the password rule appears %d times, want once (as help):\n%s", n, res.body)
	}
}
