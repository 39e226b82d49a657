package app_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
)

// seedUsage sets a tenant's counters for today and this month.
func seedUsage(t *testing.T, h *harness, slug string, dayUsed, monthUsed int) {
	t.Helper()
	_, err := h.sys.Exec(t.Context(), `INSERT INTO quota_usage (tenant_id, day, day_used, month, month_used)
		SELECT id, (now() AT TIME ZONE 'UTC')::date, $2, date_trunc('month', now() AT TIME ZONE 'UTC')::date, $3 FROM tenants WHERE slug = $1
		ON CONFLICT (tenant_id) DO UPDATE SET day = EXCLUDED.day, day_used = EXCLUDED.day_used, month = EXCLUDED.month, month_used = EXCLUDED.month_used`,
		slug, dayUsed, monthUsed)
	if err != nil {
		t.Fatal(err)
	}
}

func TestQuotaOnTheAPI(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live, test := newKey(t, owner, "live"), newKey(t, owner, "test")
	api := h.browser()
	seedUsage(t, h, "acme", 199, 199) // free plan: 200 a day
	expect(t, owner.get("/dashboard"), http.StatusOK, `<strong id="quota-month-left">801</strong> of 1,000 verifications left this month`,
		`<strong id="quota-day-left">1</strong> of 200 real-time verifications today`, `<a href="/billing">Free plan</a>`, `aria-valuenow="19"`, "test keys are free")

	res := api.apiJSON("POST", "/v1/verify", live, `{"email":"ann@shop.test"}`)
	expect(t, res, http.StatusOK)
	if res.Header.Get("Quota-Remaining-Day") != "0" || res.Header.Get("Quota-Limit-Month") != "1000" {
		t.Fatalf("quota headers %v", res.Header)
	}
	res = api.apiJSON("POST", "/v1/verify", live, `{"email":"bob@shop.test"}`)
	expectProblem(t, res, http.StatusTooManyRequests, "quota_exceeded")
	if !strings.Contains(res.body, "needs 1, 0 left today") {
		t.Fatalf("no numbers: %s", res.body)
	}
	// Cache hits and test keys stay free.
	expect(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"ann@shop.test"}`), http.StatusOK, `"cached":true`)
	expect(t, api.apiJSON("POST", "/v1/verify", test, `{"email":"deliverable@shop.test"}`), http.StatusOK)
	// A list that does not fit is refused whole, with the numbers.
	seedUsage(t, h, "acme", 0, 997)
	res = api.upload("/v1/lists", live, "", "l.txt", "ann@shop.test\nbob@shop.test\nx@shop.test\ny@shop.test\nann@shop.test\n", nil)
	expectProblem(t, res, http.StatusTooManyRequests, "quota_exceeded")
	if !strings.Contains(res.body, "needs 4, 3 left this month") {
		t.Fatalf("no numbers: %s", res.body)
	}
	if n := countRows(t, h, "SELECT count(*) FROM lists"); n != 0 {
		t.Fatal("a refused list was stored")
	}
	// Test-key lists spend nothing.
	expect(t, api.upload("/v1/lists", test, "", "l.txt", "deliverable@shop.test\nrisky@shop.test\nx@shop.test\ny@shop.test\n", nil), http.StatusCreated)
	if n := countRows(t, h, "SELECT month_used FROM quota_usage"); n != 997 {
		t.Fatalf("month used %d after a test-mode list, want 997", n)
	}
}

// 50 concurrent requests with 10 verifications left: exactly 10 succeed.
func TestQuotaIsExactForConcurrentRequests(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live := newKey(t, owner, "live")
	if _, err := h.sys.Exec(t.Context(), `INSERT INTO subscriptions (tenant_id, plan_id, status) SELECT id, 'premium', 'active' FROM tenants WHERE slug = 'acme'`); err != nil {
		t.Fatal(err)
	}
	seedUsage(t, h, "acme", 99990, 99990) // premium: 100,000 a day
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := h.browser().apiJSON("POST", "/v1/verify", live, `{"email":"user`+string(rune('a'+i%26))+string(rune('a'+i/26))+`@catchall.test"}`)
			mu.Lock()
			codes[res.StatusCode]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes[http.StatusOK] != 10 || codes[http.StatusTooManyRequests] != 40 {
		t.Fatalf("status counts %v; want 10×200 and 40×429", codes)
	}
}

func TestRateLimitPerKey(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	if _, err := h.sys.Exec(t.Context(), `UPDATE api_keys SET rate_per_minute = 3`); err != nil {
		t.Fatal(err)
	}
	api := h.browser()
	for i := range 3 {
		res := api.api("GET", "/v1/me", key)
		expect(t, res, http.StatusOK)
		if res.Header.Get("RateLimit-Limit") != "3" || res.Header.Get("RateLimit-Remaining") != string(rune('2'-i)) {
			t.Fatalf("call %d headers %v", i, res.Header)
		}
	}
	res := api.api("GET", "/v1/me", key)
	expectProblem(t, res, http.StatusTooManyRequests, "rate_limited")
	if res.Header.Get("Retry-After") == "" || res.Header.Get("RateLimit-Remaining") != "0" {
		t.Fatalf("429 headers %v", res.Header)
	}
	// Another key of the tenant has its own bucket.
	other := newKey(t, owner, "test")
	expect(t, api.api("GET", "/v1/me", other), http.StatusOK)
}
