package app_test

import (
	"net/http"
	"net/url"
	"testing"
)

// contractRequestLogs drives GET /v1/request_logs to its pages, filters
// and refusals; by now the contract's earlier calls are in the log.
func contractRequestLogs(t *testing.T, c *contract, key, other string) {
	expect(t, c.call("GET", "/v1/me", key, "", "X-Request-Id", "contract-me-1"), http.StatusOK)
	expectProblem(t, c.call("GET", "/v1/lists/00000000-0000-4000-8000-000000000000", key, ""), http.StatusNotFound, "not_found")
	c.h.flushLogs()
	expect(t, c.call("GET", "/v1/request_logs?request_id=contract-me-1", key, ""), http.StatusOK, `"route":"GET /v1/me"`, `"problem_code":null`)
	expect(t, c.call("GET", "/v1/request_logs?request_id=contract-me-1", other, ""), http.StatusOK, `"request_logs":[]`)
	expect(t, c.call("GET", "/v1/request_logs?status=4xx&route="+url.QueryEscape("GET /v1/lists/{id}"), key, ""), http.StatusOK, `"problem_code":"not_found"`)
	page := c.call("GET", "/v1/request_logs?limit=1&since=2026-01-01T00:00:00Z&until=2100-01-01T00:00:00Z", key, "")
	expect(t, page, http.StatusOK, `"next_cursor":"`)
	var p logPage
	decodeInto(t, page, &p)
	expect(t, c.call("GET", "/v1/request_logs?limit=1&cursor="+url.QueryEscape(p.Next), key, ""), http.StatusOK)
	expect(t, c.call("GET", "/v1/request_logs?api_key="+p.Logs[0].APIKey.ID, key, ""), http.StatusOK, p.Logs[0].APIKey.Prefix)
	expect(t, c.call("GET", "/v1/request_logs?api_key="+p.Logs[0].APIKey.Prefix, key, ""), http.StatusOK, p.Logs[0].APIKey.ID)

	expectProblem(t, c.call("GET", "/v1/request_logs?status=teapot", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/request_logs?api_key=bob", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/request_logs?cursor=bogus", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/request_logs?since=yesterday", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/request_logs?limit=1000", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/request_logs", "mv_test_tooshort", ""), http.StatusUnauthorized, "invalid_api_key")
}
