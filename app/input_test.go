package app_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

const controlMsg = "Remove the control characters"

// A NUL or other control character in any text input is refused at the
// edge: 422 invalid_request on the API, the field's message on a page.
// Nothing is charged, stored or sent on (PostgreSQL refuses NUL with an
// error, which was a 500).
func TestControlCharactersAreRefused(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live := newKey(t, owner, "live")
	api := h.browser()
	monthUsed := func() int {
		return countRows(t, h, "SELECT coalesce(sum(month_used), 0)::int FROM quota_usage")
	}

	for _, body := range []string{
		`{"email":"ann\u0000@shop.test"}`, `{"email":"ann@shop.test\r\n"}`, `{"email":"a\tnn@shop.test"}`, `{"email":"ann@shop.test\u0085"}`,
	} {
		expectProblem(t, api.apiJSON("POST", "/v1/verify", live, body), http.StatusUnprocessableEntity, "invalid_request")
	}
	for _, body := range []string{
		`{"kind":"domain","pattern":"x\u0000.test","action":"block"}`,
		`{"kind":"domain","pattern":"x.test","action":"block","note":"a\u0000b"}`,
	} {
		expectProblem(t, api.apiJSON("POST", "/v1/rules", live, body), http.StatusUnprocessableEntity, "invalid_request")
	}
	expectProblem(t, api.apiJSON("POST", "/v1/rules/test", live, `{"email":"a\u0000@b.test"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/lists", live, `{"name":"crm\u0000","emails":["ann@shop.test"]}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/webhook_endpoints", live, `{"url":"https://crm.example/hook","description":"a\u0000b"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/webhook_endpoints", live, `{"url":"https://crm.example/ho\r\nok"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/lists", live, `{"emails":["ann@shop.test","bob\u0000@shop.test"]}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.upload("/v1/lists", live, "", "a.csv", "ann@shop.test\n", map[string]string{"name": "crm\x00"}), http.StatusUnprocessableEntity, "invalid_request")
	if n := monthUsed(); n != 0 {
		t.Fatalf("refused requests charged %d verifications", n)
	}
	if n := countRows(t, h, "SELECT count(*) FROM lists") + countRows(t, h, "SELECT count(*) FROM rules"); n != 0 {
		t.Fatalf("refused requests stored %d lists and rules", n)
	}

	// Pages: the message stands next to the field.
	expect(t, owner.post("/verify", url.Values{"email": {"ann\x00@shop.test"}}), http.StatusOK, controlMsg)
	expect(t, owner.post("/rules", url.Values{"kind": {"domain"}, "pattern": {"x\x00.test"}, "action": {"block"}}), http.StatusUnprocessableEntity, controlMsg)
	expect(t, owner.post("/rules/test", url.Values{"email": {"a\x00@b.test"}}), http.StatusOK, controlMsg)
	expect(t, owner.post("/webhooks", url.Values{"url": {"https://crm.example/hook"}, "description": {"CRM\r\nx"}, "all_events": {"1"}}), http.StatusUnprocessableEntity, controlMsg)
	// A CR/LF in the workspace name would break every invitation mail.
	expect(t, owner.post("/settings", url.Values{"name": {"Acme\r\nBcc: x@evil.test"}}), http.StatusUnprocessableEntity, controlMsg)
	expect(t, owner.post("/team/invites", url.Values{"email": {"mia@acme.test\nBcc: x@evil.test"}, "role": {"member"}}), http.StatusUnprocessableEntity)
	expect(t, owner.post("/keys", url.Values{"name": {"k\x00"}, "mode": {"live"}}), http.StatusUnprocessableEntity, controlMsg)
	expect(t, owner.upload("/lists", "", "", "a.csv", "ann@shop.test\n", map[string]string{"name": "crm\x00"}), http.StatusUnprocessableEntity, controlMsg)
	expect(t, h.browser().post("/signup", url.Values{"company": {"A\x00"}, "name": {"A"}, "email": {"a@b.test"}, "password": {password}}), http.StatusUnprocessableEntity, controlMsg)
	expect(t, h.browser().post("/login", url.Values{"email": {"ann@acme.test\x00"}, "password": {password}}), http.StatusUnprocessableEntity, controlMsg)
	expect(t, owner.post("/account/password", url.Values{"current_password": {password + "\x00"}, "new_password": {"a new passphrase"}}), http.StatusUnprocessableEntity, controlMsg)
	if n := monthUsed(); n != 0 {
		t.Fatalf("refused pages charged %d verifications", n)
	}
	expect(t, owner.get("/settings"), http.StatusOK, `value="Acme"`)

	// Query strings too: an unknown filter is a bad request.
	res := owner.upload("/lists", "", "", "a.csv", "ann@shop.test\n", nil)
	expect(t, res, http.StatusSeeOther)
	for _, query := range []string{"?status=%00", "?reason=%00", "?status=deliverable%00", "?cursor=%00"} {
		if got := owner.get(res.Header.Get("Location") + query); got.StatusCode >= 500 {
			t.Errorf("list page %s: %d", query, got.StatusCode)
		}
	}
	expect(t, owner.get(res.Header.Get("Location")+"?status=%00"), http.StatusBadRequest, "status must be")
}

// A multipart body cut short is the client's fault: 400, never 500.
func TestTruncatedUploadIsABadRequest(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live := newKey(t, owner, "live")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("name", "cut")
	fw, _ := mw.CreateFormFile("file", "cut.csv")
	_, _ = io.WriteString(fw, strings.Repeat("ann@shop.test\n", 200))
	_ = mw.Close()
	cut := body.Bytes()[:body.Len()-200] // no closing boundary
	send := func(b *browser, path, key string) response {
		req, _ := http.NewRequest("POST", h.srv.URL+path, bytes.NewReader(cut))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		return b.do(req)
	}
	expectProblem(t, send(h.browser(), "/v1/lists", live), http.StatusBadRequest, "invalid_request")
	expect(t, send(owner, "/lists", ""), http.StatusBadRequest, "ended early")
	if n := countRows(t, h, "SELECT count(*) FROM lists"); n != 0 {
		t.Fatalf("a truncated upload stored %d lists", n)
	}
}

// Limits under 1 MB are named in KB or bytes, never "0 MB".
func TestSmallUploadLimitIsNamed(t *testing.T) {
	h := newHarness(t, harnessOptions{uploadMaxBytes: 4096})
	owner := h.signUp("Acme", "ann@acme.test")
	live := newKey(t, owner, "live")
	res := h.browser().upload("/v1/lists", live, "", "huge.txt", strings.Repeat("a@x.test\n", 1000), nil)
	expectProblem(t, res, http.StatusRequestEntityTooLarge, "file_too_large")
	if !strings.Contains(res.body, "larger than 4 KB") {
		t.Fatalf("limit not named: %s", res.body)
	}
	expect(t, owner.upload("/lists", "", "", "huge.txt", strings.Repeat("a@x.test\n", 1000), nil), http.StatusRequestEntityTooLarge, "larger than 4 KB")
	if page := owner.get("/lists"); strings.Contains(page.body, "0 MB") || !strings.Contains(page.body, "Up to 4 KB") {
		t.Fatalf("lists page names the limit wrong:\n%s", abbreviate(page.body))
	}
}

// Changing the password checks one, so it is throttled like sign-in.
func TestPasswordChangeIsThrottled(t *testing.T) {
	h := newHarness(t, harnessOptions{authRate: 4})
	owner := h.signUp("Acme", "ann@acme.test") // one attempt spent signing up
	for range 3 {
		expect(t, owner.post("/account/password", url.Values{"current_password": {"wrong guess"}, "new_password": {"a new passphrase"}}), http.StatusUnprocessableEntity)
	}
	res := owner.post("/account/password", url.Values{"current_password": {"wrong guess"}, "new_password": {"a new passphrase"}})
	expect(t, res, http.StatusTooManyRequests, "Too many attempts")
	if res.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
}
