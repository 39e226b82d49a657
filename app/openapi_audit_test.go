package app_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// contractAudit drives GET /v1/audit_events: the workspace's own events,
// filtered and paged, never another workspace's.
func contractAudit(t *testing.T, c *contract, key, other string) {
	t.Helper()
	res := c.call("GET", "/v1/audit_events?action=api_key&limit=1", key, "")
	expect(t, res, http.StatusOK, `"action":"api_key.created"`, `"actor_kind":"user"`, `"request_id":"`)
	var page struct {
		Events []struct {
			ID       int64  `json:"id"`
			TargetID string `json:"target_id"`
		} `json:"audit_events"`
		Next string `json:"next_cursor"`
	}
	if err := json.Unmarshal([]byte(res.body), &page); err != nil || len(page.Events) != 1 || page.Next == "" {
		t.Fatalf("first page %s: %v", res.body, err)
	}
	expect(t, c.call("GET", "/v1/audit_events?action=api_key&limit=1&cursor="+page.Next, key, ""), http.StatusOK, `"audit_events":[{`)
	expect(t, c.call("GET", "/v1/audit_events?since=2026-01-01&until=2099-01-01T00:00:00Z&q=api_key&actor=user&target=api_key", key, ""), http.StatusOK)
	// Another workspace's key finds nothing of this one's, even by target.
	expect(t, c.call("GET", "/v1/audit_events?target="+page.Events[0].TargetID, other, ""), http.StatusOK, `"audit_events":[]`)
	expectProblem(t, c.call("GET", "/v1/audit_events?cursor=bm9wZQ", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/audit_events?since=monday", key, ""), http.StatusBadRequest, "invalid_request")
	expectProblem(t, c.call("GET", "/v1/audit_events?limit=501", key, ""), http.StatusBadRequest, "invalid_request")
}
