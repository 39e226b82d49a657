package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// memberID returns the user id of email from the users table.
func userID(t *testing.T, h *harness, email string) string {
	t.Helper()
	var id string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM users WHERE lower(email) = lower($1)", email).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestInviteJoinAndManageTeam(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")

	expect(t, owner.post("/team/invites", url.Values{"email": {"nope"}, "role": {"member"}}), http.StatusUnprocessableEntity, "Enter a valid email address")
	expect(t, owner.post("/team/invites", url.Values{"email": {"x@acme.test"}, "role": {"owner"}}), http.StatusUnprocessableEntity, "Choose one of")
	expect(t, owner.post("/team/invites", url.Values{"email": {"ann@acme.test"}, "role": {"member"}}), http.StatusUnprocessableEntity, "already a member")
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	expect(t, owner.get("/team"), http.StatusOK, "Invitation sent to mia@acme.test", "mia@acme.test")

	link := h.mailedLink("mia@acme.test", "invited")
	mia := h.browser()
	expect(t, mia.get(link), http.StatusOK, "Join Acme", `name="password"`)
	expect(t, mia.post(link, url.Values{"name": {"Mia"}, "password": {"short"}}), http.StatusUnprocessableEntity, "too short")
	expectRedirect(t, mia.post(link, url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	expect(t, mia.get("/dashboard"), http.StatusOK, "Welcome to Acme")
	expect(t, mia.get(link), http.StatusNotFound, "invalid or has expired")

	// A member sees the team but cannot manage it or keys.
	expect(t, mia.get("/team"), http.StatusOK, "ann@acme.test", "Only owners and admins")
	expect(t, mia.post("/team/invites", url.Values{"email": {"z@acme.test"}, "role": {"member"}}), http.StatusForbidden)
	expect(t, mia.post("/keys", url.Values{"name": {"mine"}, "mode": {"live"}}), http.StatusForbidden)
	expect(t, mia.post("/settings", url.Values{"name": {"Mia Inc"}}), http.StatusForbidden)
	annID, miaID := userID(t, h, "ann@acme.test"), userID(t, h, "mia@acme.test")
	expect(t, mia.post("/team/members/"+annID+"/role", url.Values{"role": {"member"}}), http.StatusForbidden)
	expect(t, mia.post("/team/members/"+annID+"/remove", nil), http.StatusForbidden)

	// The owner promotes, cannot lose the last owner, then removes.
	expectRedirect(t, owner.post("/team/members/"+miaID+"/role", url.Values{"role": {"admin"}}), "/team")
	expect(t, owner.post("/team/members/"+annID+"/role", url.Values{"role": {"member"}}), http.StatusConflict, "at least one")
	expect(t, owner.post("/team/members/"+miaID+"/role", url.Values{"role": {"emperor"}}), http.StatusUnprocessableEntity)
	expect(t, owner.post("/team/members/not-a-uuid/remove", nil), http.StatusNotFound)
	expectRedirect(t, owner.post("/team/members/"+miaID+"/remove", nil), "/team")
	expect(t, mia.get("/dashboard"), http.StatusSeeOther)
}

func TestInviteForExistingUserAndSwitchTenants(t *testing.T) {
	h := newHarness(t)
	ann := h.signUp("Acme", "ann@acme.test")
	bob := h.signUp("Bobco", "bob@bob.test")

	expectRedirect(t, ann.post("/team/invites", url.Values{"email": {"bob@bob.test"}, "role": {"admin"}}), "/team")
	link := h.mailedLink("bob@bob.test", "invited")

	// Someone else signed in cannot accept it.
	carl := h.signUp("Carlco", "carl@carl.test")
	expect(t, carl.get(link), http.StatusOK, "carl@carl.test", "but this invitation is for")
	expect(t, carl.post(link, nil), http.StatusConflict)
	// Signed out, Bob is asked to log in.
	expect(t, h.browser().get(link), http.StatusOK, "/login?next=%2Finvites%2F")

	expect(t, bob.get(link), http.StatusOK, "Accept invitation")
	expectRedirect(t, bob.post(link, nil), "/dashboard")
	expect(t, bob.get("/dashboard"), http.StatusOK, "Welcome to Acme", "Bobco")

	var bobcoID string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM tenants WHERE slug = 'bobco'").Scan(&bobcoID); err != nil {
		t.Fatal(err)
	}
	expectRedirect(t, bob.post("/tenants/switch", url.Values{"tenant_id": {bobcoID}}), "/dashboard")
	expect(t, bob.get("/dashboard"), http.StatusOK, "Switched to Bobco")
	var carlcoID string
	if err := h.sys.QueryRow(t.Context(), "SELECT id::text FROM tenants WHERE slug = 'carlco'").Scan(&carlcoID); err != nil {
		t.Fatal(err)
	}
	expect(t, bob.post("/tenants/switch", url.Values{"tenant_id": {carlcoID}}), http.StatusNotFound)
}

func TestSettings(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expect(t, owner.get("/settings"), http.StatusOK, `value="Acme"`, "acme")
	expect(t, owner.post("/settings", url.Values{"name": {""}, "technical_email": {"bad"}}), http.StatusUnprocessableEntity, "This field is required.", "Enter a valid email address")
	expectRedirect(t, owner.post("/settings", url.Values{"name": {"Acme Corp"}, "technical_email": {"ops@acme.test"}}), "/settings")
	res := owner.get("/settings")
	expect(t, res, http.StatusOK, "Settings saved.", `value="Acme Corp"`, "ops@acme.test")
	if strings.Count(res.body, "Settings saved.") != 1 {
		t.Fatal("flash shown twice")
	}
	expect(t, owner.get("/settings"), http.StatusOK)
	if strings.Contains(owner.get("/settings").body, "Settings saved.") {
		t.Fatal("flash shown again on the next page")
	}
}

// Re-sending an invitation (the row's button posts the address only) keeps
// its role, and the team page says it was re-sent.
func TestReInviteKeepsRoleAndSaysSo(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"zed@acme.test"}, "role": {"admin"}}), "/team")
	expect(t, owner.get("/team"), http.StatusOK, "Invitation sent to zed@acme.test as admin", "Re-send invitation for zed@acme.test as Admin")
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"zed@acme.test"}}), "/team")
	res := owner.get("/team")
	expect(t, res, http.StatusOK, "Invitation re-sent to zed@acme.test as admin", "Re-send invitation for zed@acme.test as Admin")
	if strings.Count(res.body, "Re-send invitation for zed@acme.test") != 1 {
		t.Fatalf("the re-sent invitation is listed more than once:\n%s", res.body)
	}
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"zed@acme.test"}, "role": {"member"}}), "/team")
	expect(t, owner.get("/team"), http.StatusOK, "Invitation re-sent to zed@acme.test as member", "Re-send invitation for zed@acme.test as Member")
}
