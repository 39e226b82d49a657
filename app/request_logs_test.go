package app_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// logPage is GET /v1/request_logs's answer.
type logPage struct {
	Logs []struct {
		ID          string  `json:"id"`
		RequestID   string  `json:"request_id"`
		Route       string  `json:"route"`
		Path        string  `json:"path"`
		Status      int     `json:"status"`
		ProblemCode *string `json:"problem_code"`
		BytesIn     int64   `json:"bytes_in"`
		BytesOut    int64   `json:"bytes_out"`
		UserAgent   string  `json:"user_agent"`
		APIKey      *struct {
			ID     string `json:"id"`
			Prefix string `json:"prefix"`
		} `json:"api_key"`
	} `json:"request_logs"`
	Next string `json:"next_cursor"`
}

func (b *browser) requestLogs(t *testing.T, key, query string) logPage {
	t.Helper()
	res := b.apiJSON("GET", "/v1/request_logs?"+query, key, "")
	expect(t, res, http.StatusOK)
	var p logPage
	decodeInto(t, res, &p)
	return p
}

// withRequestID sends an API call with the X-Request-Id given.
func (b *browser) withRequestID(method, path, key, body, id string) response {
	b.h.t.Helper()
	req, _ := http.NewRequest(method, b.h.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", id)
	req.Header.Set("User-Agent", "crm-sync/2.1")
	return b.do(req)
}

// A request is logged with its key, route pattern, status, problem code
// and sizes, and found by its X-Request-Id; never its body nor the
// Authorization header. Another workspace finds nothing by that id, on
// the API or the page, and each one's page lists its own requests only.
func TestRequestLogIsPerWorkspace(t *testing.T) {
	h := newHarness(t)
	acme, beta := h.signUp("Acme", "ann@acme.test"), h.signUp("Beta", "bob@beta.test")
	key, other := newKey(t, acme, "test"), newKey(t, beta, "test")
	api := h.browser()
	expect(t, api.withRequestID("POST", "/v1/verify", key, `{"email":"deliverable@shop.test"}`, "acme-ok-1"), http.StatusOK)
	expectProblem(t, api.withRequestID("GET", "/v1/lists/00000000-0000-4000-8000-000000000000", key, "", "acme-missing-1"), http.StatusNotFound, "not_found")
	expect(t, api.withRequestID("GET", "/v1/me", other, "", "beta-me-1"), http.StatusOK)
	// No key, no workspace: not in anyone's log.
	expectProblem(t, api.withRequestID("GET", "/v1/me", "mv_test_nosuchkeyatall", "", "nobody-1"), http.StatusUnauthorized, "invalid_api_key")
	h.flushLogs()

	p := api.requestLogs(t, key, "request_id=acme-ok-1")
	if len(p.Logs) != 1 {
		t.Fatalf("acme-ok-1: %+v", p)
	}
	l := p.Logs[0]
	if l.Route != "POST /v1/verify" || l.Status != 200 || l.ProblemCode != nil || l.BytesIn != int64(len(`{"email":"deliverable@shop.test"}`)) ||
		l.BytesOut == 0 || l.UserAgent != "crm-sync/2.1" || l.APIKey == nil || !strings.HasPrefix(key, l.APIKey.Prefix) {
		t.Fatalf("acme-ok-1 logged as %+v", l)
	}
	raw := api.apiJSON("GET", "/v1/request_logs", key, "").body
	if strings.Contains(raw, key) || strings.Contains(raw, "deliverable@shop.test") {
		t.Fatalf("the log holds the key or a body: %s", raw)
	}
	p = api.requestLogs(t, key, "status=4xx")
	if len(p.Logs) != 1 || p.Logs[0].RequestID != "acme-missing-1" || p.Logs[0].Route != "GET /v1/lists/{id}" ||
		p.Logs[0].ProblemCode == nil || *p.Logs[0].ProblemCode != "not_found" {
		t.Fatalf("status=4xx: %+v", p)
	}
	if p := api.requestLogs(t, key, "route="+url.QueryEscape("GET /v1/me")); len(p.Logs) != 0 {
		t.Fatalf("acme sees another workspace's GET /v1/me: %+v", p)
	}
	// Beta cannot find Acme's request, nor see any of Acme's.
	if p := api.requestLogs(t, other, "request_id=acme-ok-1"); len(p.Logs) != 0 {
		t.Fatalf("beta found acme's request: %+v", p)
	}
	for _, l := range api.requestLogs(t, other, "").Logs {
		if strings.HasPrefix(l.RequestID, "acme-") || l.RequestID == "nobody-1" {
			t.Fatalf("beta's log holds %s", l.RequestID)
		}
	}
	// The pages: Acme's shows its request, Beta's not even by its id.
	expect(t, acme.get("/api-logs?request_id=acme-missing-1"), http.StatusOK, "acme-missing-1", "not_found", "GET /v1/lists/{id}")
	res := beta.get("/api-logs?request_id=acme-missing-1")
	expect(t, res, http.StatusOK, "No requests match.")
	res = beta.get("/api-logs")
	expect(t, res, http.StatusOK, "beta-me-1")
	if strings.Contains(res.body, "acme-") {
		t.Fatal("beta's page lists acme's requests")
	}
	expect(t, acme.get("/api-logs?status=abc"), http.StatusBadRequest, "such as 404")
}

// Many concurrent API calls while the log's table is locked, so that
// every write of the log waits: each call is still answered (none waits
// on the log), and once the lock goes, a flush writes every one.
func TestRequestLogUnderLoadHasEveryRequest(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	ctx := t.Context()
	lock, err := h.owner().Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(ctx, "LOCK TABLE request_logs IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	// One request, and a flush of it that waits on the lock: from here
	// the writer is stuck in its write.
	expect(t, h.browser().withRequestID("GET", "/v1/me", key, "", "before-load"), http.StatusOK)
	flushed := make(chan error, 1)
	go func() { flushed <- h.logs.Flush(ctx) }()
	watcher := h.owner()
	eventually(t, "the writer waiting on the lock", func() bool {
		var waiting bool
		if err := watcher.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND relation = 'request_logs'::regclass)`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		return waiting
	})
	const clients, each = 20, 15
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			api := h.browser()
			for i := range each {
				// The free plan's rate limit answers most with 429: they are
				// logged too.
				res := api.withRequestID("GET", "/v1/me", key, "", fmt.Sprintf("load-%d-%d", c, i))
				if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusTooManyRequests {
					t.Errorf("status %d", res.StatusCode)
				}
			}
		})
	}
	wg.Wait() // every call answered while the writer was stuck
	if err := lock.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	h.flushLogs()
	if h.logs.Drops() != 0 || h.logs.Failed() != 0 {
		t.Fatalf("drops %d, failed %d", h.logs.Drops(), h.logs.Failed())
	}
	if n := countRows(t, h, `SELECT count(DISTINCT request_id) FROM request_logs WHERE request_id LIKE 'load-%'`); n != clients*each {
		t.Fatalf("%d requests in the log, want %d", n, clients*each)
	}
}

var olderLinkRE = regexp.MustCompile(`href="(/api-logs\?[^"]+)"[^>]*id="api-logs-next"`)

// The page shows 50 requests and links to the older ones, keeping its
// filters; the last page has no such link.
func TestAPILogsPagePagesKeepingItsFilter(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	for i := range 55 {
		api.withRequestID("GET", "/v1/me", key, "", fmt.Sprintf("page-%02d", i))
	}
	api.withRequestID("GET", "/v1/usage", key, "", "other-route")
	h.flushLogs()
	res := owner.get("/api-logs?route=" + url.QueryEscape("GET /v1/me"))
	expect(t, res, http.StatusOK, "page-54")
	if strings.Contains(res.body, "page-04") || strings.Contains(res.body, "other-route") {
		t.Fatal("the first page holds the oldest requests or another route's")
	}
	m := olderLinkRE.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatal("no link to older requests")
	}
	older := owner.get(html.UnescapeString(m[1]))
	expect(t, older, http.StatusOK, "page-04", "page-00")
	if strings.Contains(older.body, "page-05") || strings.Contains(older.body, "other-route") || strings.Contains(older.body, `id="api-logs-next"`) {
		t.Fatal("the second page repeats the first, lost the filter or links further")
	}
}
