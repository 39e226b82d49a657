package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var webhookSecretRE = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)

// The pages: an endpoint added with its secrets shown once, problems next
// to their field, and a member who may look but not touch.
func TestWebhookPages(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	rcv := newHookReceiver(t, http.StatusOK)
	expect(t, owner.get("/webhooks"), http.StatusOK, "No endpoints yet.", `name="all_events"`, `value="list.completed"`, `href="/webhooks"`)

	res := owner.post("/webhooks", url.Values{"url": {"http://10.0.0.7/hook"}, "all_events": {"1"}})
	expect(t, res, http.StatusUnprocessableEntity, `id="url-error"`, "This URL points to 10.0.0.7, a private address.")
	res = owner.post("/webhooks", url.Values{"url": {rcv.URL}})
	expect(t, res, http.StatusUnprocessableEntity, `id="events-error"`, "Choose at least one event type")

	res = owner.post("/webhooks", url.Values{"url": {rcv.URL + "/crm"}, "description": {"Sales CRM"}, "events": {"list.completed", "quota.threshold"}})
	expect(t, res, http.StatusCreated, "Copy signing secret", "Copy inbound secret", "list.completed, quota.threshold")
	secrets := webhookSecretRE.FindAllString(res.body, -1)
	if len(secrets) != 2 || secrets[0] == secrets[1] {
		t.Fatalf("secrets shown %v, want the signing and the inbound one", secrets)
	}
	index := owner.get("/webhooks")
	expect(t, index, http.StatusOK, rcv.URL+"/crm")
	id := regexp.MustCompile(`/webhooks/([0-9a-f-]{36})`).FindStringSubmatch(index.body)[1]
	detail := owner.get("/webhooks/" + id)
	expect(t, detail, http.StatusOK, "Send test event", "Rotate secret", "Delete endpoint", "No attempts yet.", "No dead letters.")
	for _, page := range []response{index, detail} {
		if webhookSecretRE.MatchString(page.body) {
			t.Fatalf("%s shows a secret again", page.Request.URL.Path)
		}
	}

	// Edit, rotate, disable, enable.
	expectRedirect(t, owner.post("/webhooks/"+id, url.Values{"url": {rcv.URL + "/crm2"}, "all_events": {"1"}}), "/webhooks/"+id)
	expect(t, owner.post("/webhooks/"+id, url.Values{"url": {"ftp://x.test"}, "all_events": {"1"}}), http.StatusUnprocessableEntity, `id="url-error"`)
	res = owner.post("/webhooks/"+id+"/rotate", url.Values{"overlap": {"1h"}})
	expect(t, res, http.StatusOK, "Signing secret rotated.", "signs beside the new one until")
	if got := webhookSecretRE.FindAllString(res.body, -1); len(got) != 1 || got[0] == secrets[0] {
		t.Fatalf("rotation showed %v", got)
	}
	expect(t, owner.post("/webhooks/"+id+"/rotate", url.Values{"overlap": {"2d"}}), http.StatusUnprocessableEntity, "Choose how long the old secret keeps working")
	expectRedirect(t, owner.post("/webhooks/"+id+"/disable", nil), "/webhooks/"+id)
	expect(t, owner.get("/webhooks/"+id), http.StatusOK, `id="endpoint-disabled"`, "disabled</strong>", "by hand.")
	expect(t, owner.post("/webhooks/"+id+"/enable", url.Values{"recover": {"1"}, "since": {"yesterday"}}), http.StatusUnprocessableEntity, "Enter the date and time")
	expectRedirect(t, owner.post("/webhooks/"+id+"/enable", url.Values{"recover": {"1"}, "since": {"2026-01-01T00:00"}}), "/webhooks/"+id)
	expect(t, owner.get("/webhooks/"+id), http.StatusOK, "0 dead letters sent again.")

	// A member sees everything but no control, and is refused writes.
	expectRedirect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}}), "/team")
	mia := h.browser()
	expectRedirect(t, mia.post(h.mailedLink("mia@acme.test", "invited"), url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}}), "/dashboard")
	for _, path := range []string{"/webhooks", "/webhooks/" + id} {
		page := mia.get(path)
		expect(t, page, http.StatusOK, "Only owners and admins")
		for _, control := range []string{"Add endpoint", "Send test event", "Rotate secret", "Delete endpoint", "Save changes", `id="recover-form"`} {
			if strings.Contains(page.body, control) {
				t.Errorf("a member sees %q on %s", control, path)
			}
		}
	}
	expect(t, mia.post("/webhooks", url.Values{"url": {rcv.URL}, "all_events": {"1"}}), http.StatusForbidden)
	for _, action := range []string{"", "/test", "/disable", "/delete", "/rotate"} {
		expect(t, mia.post("/webhooks/"+id+action, url.Values{"url": {rcv.URL}, "all_events": {"1"}, "overlap": {"now"}}), http.StatusForbidden)
	}

	expectRedirect(t, owner.post("/webhooks/"+id+"/delete", nil), "/webhooks")
	expect(t, owner.get("/webhooks/"+id), http.StatusNotFound)
}
