package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestOpenAPIContract drives every /v1 operation through the real server
// and checks each request and response against the served openapi.yaml:
// schemas, required headers, status codes and problem bodies.
func TestOpenAPIContract(t *testing.T) {
	// Greylisted list addresses wait an hour for their retry, so a list
	// holding one is still running when the test cancels it.
	h := newHarness(t, harnessOptions{listMaxRows: 50, uploadMaxBytes: 16 << 10, maxBodyBytes: 8 << 10, listRetryDelay: time.Hour})
	c := newContract(t, h)
	c.call("GET", "/v1/openapi.yaml", "", "")

	acme, beta := h.signUp("Acme", "ann@acme.test"), h.signUp("Beta", "bob@beta.test")
	live, test := newKey(t, acme, "live"), newKey(t, acme, "test")
	other := newKey(t, beta, "test")

	expect(t, c.call("GET", "/v1/me", test, ""), http.StatusOK, `"mode":"test"`)
	expectProblem(t, c.call("GET", "/v1/me", "mv_live_tooshort", ""), http.StatusUnauthorized, "invalid_api_key")
	contractVerify(t, c, live, test)
	contractRules(t, c, test, other)
	contractLists(t, c, live, test, other)
	contractUsage(t, c, acme, live, test)
	contractWebhooks(t, c, newKey(t, acme, "test"), other)   // a key of its own: its calls would pass the rate of one
	contractKeys(t, c, acme, newKey(t, acme, "test"), other) // before the refusals suspend other's workspace
	contractRequestLogs(t, c, newKey(t, acme, "test"), other)
	contractAudit(t, c, newKey(t, acme, "test"), other)
	contractSchedules(t, c, newKey(t, acme, "test"), other)
	contractRefusals(t, c, acme, live, test, other)

	c.checkCoverage()
	t.Logf("statuses checked per operation:\n%s", c.summary())
}

func contractVerify(t *testing.T, c *contract, live, test string) {
	for _, email := range []string{"deliverable@shop.test", "greylisted@shop.test", "undeliverable@shop.test", "disposable@gmial.com", "not an address"} {
		expect(t, c.call("POST", "/v1/verify", test, `{"email":"`+email+`"}`), http.StatusOK)
	}
	for _, email := range []string{"Ann@Shop.test", "ann@shop.test", "nobody@shop.test", "x@catchall.test", "x@no-such-domain.test"} {
		expect(t, c.call("POST", "/v1/verify", live, `{"email":"`+email+`"}`), http.StatusOK)
	}
	expect(t, c.call("POST", "/v1/verify", live, `{"email":"ann@shop.test"}`), http.StatusOK, `"cached":true`)
	expectProblem(t, c.refused("POST", "/v1/verify", test, `{"email":`), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/verify", test, `{"email":"a@shop.test","x":1}`), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/verify", test, `{}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/verify", test, `{"email":"`+strings.Repeat("a", 10<<10)+`"}`), http.StatusRequestEntityTooLarge, "body_too_large")

	expect(t, c.call("DELETE", "/v1/cache", live, ""), http.StatusOK, `"cleared":`)
}

func contractRules(t *testing.T, c *contract, key, other string) {
	expect(t, c.call("GET", "/v1/rules", key, ""), http.StatusOK, `"rules":[]`)
	res := c.call("POST", "/v1/rules", key, `{"kind":"domain","pattern":"Blocked.test","action":"block","note":"spam"}`)
	expect(t, res, http.StatusCreated)
	var rule struct{ ID string }
	_ = json.Unmarshal([]byte(res.body), &rule)
	expect(t, c.call("POST", "/v1/rules", key, `{"kind":"regex","pattern":"^vip[0-9]+@","action":"allow"}`), http.StatusCreated)
	expect(t, c.call("GET", "/v1/rules", key, ""), http.StatusOK, rule.ID)
	expectProblem(t, c.call("POST", "/v1/rules", key, `{"kind":"domain","pattern":"BLOCKED.test","action":"allow"}`), http.StatusConflict, "rule_exists")
	expectProblem(t, c.call("POST", "/v1/rules", key, `{"kind":"domain","pattern":"a@b.test","action":"block"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/rules", key, `{"kind":"domain","pattern":"x.test","action":"deny"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/rules", key, `{"kind":"domain","pattern":"x.test","action":"block","extra":1}`), http.StatusBadRequest, "invalid_request")

	for _, email := range []string{"Ann@Blocked.test", "VIP7@other.test", "ann@other.test", "not an address"} {
		expect(t, c.call("POST", "/v1/rules/test", key, `{"email":"`+email+`"}`), http.StatusOK)
	}
	expect(t, c.call("POST", "/v1/verify", key, `{"email":"ann@blocked.test"}`), http.StatusOK, "blocked_by_rule")
	expectProblem(t, c.refused("POST", "/v1/rules/test", key, `{}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/rules/test", key, `["a@b.test"]`), http.StatusBadRequest, "invalid_request")

	expectProblem(t, c.call("DELETE", "/v1/rules/"+rule.ID, other, ""), http.StatusNotFound, "not_found")
	expectProblem(t, c.refused("DELETE", "/v1/rules/not-a-uuid", key, ""), http.StatusNotFound, "not_found")
	expect(t, c.call("DELETE", "/v1/rules/"+rule.ID, key, ""), http.StatusNoContent)
	expectProblem(t, c.call("DELETE", "/v1/rules/"+rule.ID, key, ""), http.StatusNotFound, "not_found")
}

func contractLists(t *testing.T, c *contract, live, test, other string) {
	listID := func(res response) string {
		var l struct{ ID string }
		_ = json.Unmarshal([]byte(res.body), &l)
		return l.ID
	}
	// JSON with an Idempotency-Key: created, replayed, refused with another body.
	first := c.call("POST", "/v1/lists", test, `{"name":"From CRM","emails":["ann@shop.test","risky@shop.test","ann@shop.test"]}`, "Idempotency-Key", "crm-1")
	expect(t, first, http.StatusCreated, `"header":["email"]`)
	expect(t, c.call("POST", "/v1/lists", test, `{"name":"From CRM","emails":["ann@shop.test","risky@shop.test","ann@shop.test"]}`, "Idempotency-Key", "crm-1"), http.StatusOK, listID(first))
	expectProblem(t, c.call("POST", "/v1/lists", test, `{"emails":["bob@shop.test"]}`, "Idempotency-Key", "crm-1"), http.StatusUnprocessableEntity, "idempotency_key_reused")
	// Files with and without a header; a live list with real verdicts.
	expect(t, c.upload(test, "", "plain.txt", "deliverable@shop.test\ngreylisted@shop.test\n", false, "dedupe", "none"), http.StatusCreated, `"header":null`)
	csvList := c.upload(live, "", "contacts.csv", "\ufeff"+strings.TrimSuffix(sampleCSV, greyRow), false, "name", "Contacts", "email_column", "email")
	expect(t, csvList, http.StatusCreated, `"email_column":2`) // 1-based, as it was named
	id := listID(csvList)
	expectProblem(t, c.refused("POST", "/v1/lists", test, `{"emails":["a@shop.test"],"email_column":"2"}`), http.StatusBadRequest, "invalid_request")

	// Refusals: nothing stored.
	expectProblem(t, c.upload(test, "", "empty.csv", "", false), http.StatusUnprocessableEntity, "invalid_file")
	expectProblem(t, c.upload(test, "", "bad.csv", "email,name\na@shop.test,\"Ann\nb@shop.test,Bob\"x\n", false), http.StatusUnprocessableEntity, "invalid_file")
	expectProblem(t, c.upload(test, "", "big.txt", strings.Repeat("a@x.test\n", 51), false), http.StatusUnprocessableEntity, "too_many_rows")
	expectProblem(t, c.upload(test, "", "huge.txt", strings.Repeat("a@x.test\n", 2000), false), http.StatusRequestEntityTooLarge, "file_too_large")
	expectProblem(t, c.upload(test, "", "x.csv", "a@x.test\n", true, "dedupe", "fuzzy"), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/lists", test, `{"name":"x"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/lists", test, `{"emails":`), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.refused("POST", "/v1/lists", test, `{"emails":["a@x.test"]}`, "Idempotency-Key", strings.Repeat("k", 201)), http.StatusBadRequest, "invalid_request")

	// Progress until done, then results, exports, cancel and delete.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(c.call("GET", "/v1/lists/"+id, live, "").body, `"status":"completed"`) {
		if time.Now().After(deadline) {
			t.Fatal("list not completed after 30s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	page := c.call("GET", "/v1/lists?limit=1", test, "")
	expect(t, page, http.StatusOK, `"next_cursor":"`)
	var p struct {
		Next string `json:"next_cursor"`
	}
	_ = json.Unmarshal([]byte(page.body), &p)
	expect(t, c.call("GET", "/v1/lists?cursor="+url.QueryEscape(p.Next), test, ""), http.StatusOK)
	expectProblem(t, c.call("GET", "/v1/lists?cursor=garbage", test, ""), http.StatusBadRequest, "invalid_request")

	expect(t, c.call("GET", "/v1/lists/"+id+"/results?limit=2", live, ""), http.StatusOK, `"next_cursor":"`)
	expect(t, c.call("GET", "/v1/lists/"+id+"/results?status=undeliverable&reason=rejected_email", live, ""), http.StatusOK, "nobody@shop.test")
	expect(t, c.call("GET", "/v1/lists/"+id+"/results", live, ""), http.StatusOK, `"smtp_reply":"250`)
	expectProblem(t, c.call("GET", "/v1/lists/"+id+"/results?cursor=garbage", live, ""), http.StatusBadRequest, "invalid_request")
	// Filters outside the documented values are refused, not matched by nothing.
	expectProblem(t, c.refused("GET", "/v1/lists/"+id+"/results?status=valid", live, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.refused("GET", "/v1/lists/"+id+"/results?reason=bounced", live, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.refused("GET", "/v1/lists/"+id+"/export?status=valid", live, ""), http.StatusBadRequest, "invalid_request")
	expect(t, c.call("GET", "/v1/lists/"+id+"/export", live, ""), http.StatusOK, "name,email,company,mailvet_status")
	expect(t, c.call("GET", "/v1/lists/"+id+"/export?status=deliverable", live, ""), http.StatusOK, "bob@shop.test")
	expect(t, c.call("GET", "/v1/lists/"+id+"/export?rows=unique&status=deliverable", live, ""), http.StatusOK, "bob@shop.test")
	expectProblem(t, c.refused("GET", "/v1/lists/"+id+"/export?rows=some", live, ""), http.StatusBadRequest, "invalid_request")
	expect(t, c.call("GET", "/v1/lists/"+id+"/duplicates", live, ""), http.StatusOK, "mailvet_duplicate")
	expect(t, c.call("GET", "/v1/lists/"+id+"/skipped", live, ""), http.StatusOK, "mailvet_skip_reason")
	for _, path := range []string{"", "/results", "/export", "/duplicates", "/skipped"} {
		expectProblem(t, c.call("GET", "/v1/lists/"+id+path, other, ""), http.StatusNotFound, "not_found")
	}
	expectProblem(t, c.refused("GET", "/v1/lists/not-a-uuid", live, ""), http.StatusNotFound, "not_found")

	expectProblem(t, c.call("POST", "/v1/lists/"+id+"/cancel", live, ""), http.StatusConflict, "list_finished")
	expectProblem(t, c.call("POST", "/v1/lists/"+id+"/cancel", other, ""), http.StatusNotFound, "not_found")
	// A greylisted address waits an hour for its retry: the list is still running.
	grey := c.call("POST", "/v1/lists", live, `{"emails":["ann@grey.test"]}`)
	expect(t, grey, http.StatusCreated)
	// While it waits, the list object says so, in the documented shape:
	// deferred_rows, next_retry_at a time, eta_seconds null.
	deadline = time.Now().Add(30 * time.Second)
	for !strings.Contains(c.call("GET", "/v1/lists/"+listID(grey), live, "").body, `"deferred_rows":1,"next_retry_at":"20`) {
		if time.Now().After(deadline) {
			t.Fatal("the greylisted address never showed as deferred")
		}
		time.Sleep(100 * time.Millisecond)
	}
	expect(t, c.call("GET", "/v1/lists/"+listID(grey), live, ""), http.StatusOK, `"eta_seconds":null`)
	expect(t, c.call("POST", "/v1/lists/"+listID(grey)+"/cancel", live, ""), http.StatusOK, `"status":"cancelled"`)

	expectProblem(t, c.call("DELETE", "/v1/lists/"+id, other, ""), http.StatusNotFound, "not_found")
	expect(t, c.call("DELETE", "/v1/lists/"+listID(grey), live, ""), http.StatusNoContent)
	expectProblem(t, c.call("DELETE", "/v1/lists/"+listID(grey), live, ""), http.StatusNotFound, "not_found")
}

func contractUsage(t *testing.T, c *contract, owner *browser, live, key string) {
	// A list uploaded on the page counts without a key (key_id null). It
	// is a live list: a test key does not see it.
	up := owner.upload("/lists", "", "", "team.csv", "email\nbob@shop.test\n", nil)
	if up.StatusCode != http.StatusSeeOther {
		t.Fatalf("page upload: %d\n%s", up.StatusCode, abbreviate(up.body))
	}
	id := strings.TrimPrefix(up.Header.Get("Location"), "/lists/")
	expectProblem(t, c.call("GET", "/v1/lists/"+id, key, ""), http.StatusNotFound, "not_found")
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(c.call("GET", "/v1/lists/"+id, live, "").body, `"status":"completed"`) {
		if time.Now().After(deadline) {
			t.Fatal("page list not completed after 30s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	expect(t, c.call("GET", "/v1/usage", key, ""), http.StatusOK, `"key_id":null`, `"quota":{`)
	today := time.Now().UTC()
	week := "?from=" + today.AddDate(0, 0, -20).Format(time.DateOnly) + "&to=" + today.Format(time.DateOnly) + "&granularity=week"
	expect(t, c.call("GET", "/v1/usage"+week, key, ""), http.StatusOK, `"granularity":"week"`)
	expect(t, c.call("GET", "/v1/usage?granularity=month", key, ""), http.StatusOK)
	expectProblem(t, c.refused("GET", "/v1/usage?granularity=hour", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.refused("GET", "/v1/usage?from=yesterday", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/usage?from=2026-11-25&to=2026-11-24", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/usage?from=2025-01-01&to=2026-11-24", key, ""), http.StatusBadRequest, "invalid_request")
}

// contractRefusals covers the answers every operation shares: 401, 403 and
// 429 (rate and quota).
func contractRefusals(t *testing.T, c *contract, acme *browser, live, test, other string) {
	h := c.h
	// Without a key, every operation but the document is 401.
	bodies := map[string]string{"verifyEmail": `{"email":"a@shop.test"}`, "testRule": `{"email":"a@shop.test"}`,
		"createList": `{"emails":["a@shop.test"]}`, "createRule": `{"kind":"domain","pattern":"x.test","action":"block"}`,
		"createWebhookEndpoint": `{"url":"https://crm.example/hook"}`, "updateWebhookEndpoint": `{"enabled":true}`,
		"rotateWebhookSecret": `{"overlap":"now"}`, "createAPIKey": `{"name":"x"}`, "rollAPIKey": `{"grace":"now"}`, "recoverWebhookDeliveries": `{"since":"2026-01-01T00:00:00Z"}`,
		"putListSchedule": `{"every":"weekly"}`}
	for op, id := range c.operations() {
		method, path, _ := strings.Cut(op, " ")
		if c.keyless(method, path) {
			continue // see contractInbound for the pushes' own 401s
		}
		path = strings.ReplaceAll(path, "{id}", "0b0e8a3c-5d37-4c1c-9a55-2f7f8d1e6a01")
		path = strings.ReplaceAll(path, "{run}", "4d2c6f1e-8a3b-4c5d-9e7f-0a1b2c3d4e5f")
		expectProblem(t, c.call(method, path, "", bodies[id]), http.StatusUnauthorized, "missing_api_key")
	}
	// A browser request from another site may not change data.
	expectProblem(t, c.call("POST", "/v1/verify", test, `{"email":"a@shop.test"}`, "Sec-Fetch-Site", "cross-site"), http.StatusForbidden, "cross_origin_request")

	// A key over its rate: 429 with Retry-After.
	limited := newKey(t, acme, "test")
	if _, err := h.sys.Exec(t.Context(), `UPDATE api_keys SET rate_per_minute = 1 WHERE starts_with($1, prefix)`, limited); err != nil {
		t.Fatal(err)
	}
	expect(t, c.call("GET", "/v1/me", limited, ""), http.StatusOK)
	expectProblem(t, c.call("GET", "/v1/me", limited, ""), http.StatusTooManyRequests, "rate_limited")

	// Out of quota: live verifications and lists are refused whole. A day
	// used up stops real-time calls only; lists count against the month.
	seedUsage(t, h, "acme", 200, 200)
	expectProblem(t, c.call("POST", "/v1/verify", live, `{"email":"bob@catchall.test"}`), http.StatusTooManyRequests, "quota_exceeded")
	seedUsage(t, h, "acme", 0, 1000)
	expectProblem(t, c.call("POST", "/v1/lists", live, `{"emails":["x@catchall.test"]}`), http.StatusTooManyRequests, "quota_exceeded")

	// Revoked keys and suspended workspaces.
	revoked := newKey(t, acme, "test")
	if _, err := h.sys.Exec(t.Context(), `UPDATE api_keys SET revoked_at = now() WHERE starts_with($1, prefix)`, revoked); err != nil {
		t.Fatal(err)
	}
	expectProblem(t, c.call("GET", "/v1/me", revoked, ""), http.StatusUnauthorized, "api_key_revoked")
	if _, err := h.sys.Exec(t.Context(), `UPDATE tenants SET status = 'suspended' WHERE slug = 'beta'`); err != nil {
		t.Fatal(err)
	}
	expectProblem(t, c.call("GET", "/v1/rules", other, ""), http.StatusForbidden, "account_suspended")
}
