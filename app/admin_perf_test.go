package app_test

import (
	"net/http"
	"strings"
	"testing"

	"mailvet/db/dbtest"
)

// The performance page computes each route's percentiles, throughput and
// error rate from the API request log, over the hour and the day, and
// shows the verdicts per minute, River's queues and the slow statements.
func TestPerformancePageShowsFiguresFromTheRequestLog(t *testing.T) {
	h := newHarness(t)
	admin := h.platformAdmin("ops@mailvet.test")
	ctx := t.Context()
	// A hundred POST /v1/verify of 1 to 100 ms five minutes ago, the first
	// ten of them 500s; a GET /v1/lists of 2 ms three hours ago (the day's
	// table only).
	for _, q := range []string{
		`INSERT INTO request_logs (id, tenant_id, created_at, method, route, path, status, duration_us, request_id)
			SELECT gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), now() - interval '5 minutes', 'POST', 'POST /v1/verify', '/v1/verify',
				CASE WHEN g <= 10 THEN 500 ELSE 200 END, g * 1000, 'req-' || g FROM generate_series(1, 100) g`,
		`INSERT INTO request_logs (id, tenant_id, created_at, method, route, path, status, duration_us, request_id)
			VALUES (gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), now() - interval '3 hours', 'GET', 'GET /v1/lists', '/v1/lists', 200, 2000, 'req-old')`,
		`INSERT INTO verifications (tenant_id, email, normalized, status, reason, score, duration_ms)
			SELECT (SELECT id FROM tenants LIMIT 1), 'a@b.test', 'a@b.test', s, 'accepted_email', 90, 5 FROM unnest(array['deliverable', 'deliverable', 'risky']) s`,
		`INSERT INTO slow_queries (template, duration_us, label) VALUES ('SELECT pg_sleep(?)', 312000, 'GET /v1/lists/{id}')`,
	} {
		if _, err := h.sys.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	seen := &dbtest.Statements{}
	h.db.ObserveQueries(seen)
	res := admin.get("/admin/performance")
	h.db.ObserveQueries(nil)
	if !seen.HasLabel("GET /admin/performance") {
		t.Error("the page's statements do not carry its route")
	}
	expect(t, res, http.StatusOK, "API routes, last hour", "POST /v1/verify",
		"51 ms", "95 ms", "99 ms", // percentile_cont over 1…100 ms: 50.5, 95.05, 99.01
		"10.0 %", "1.7", // ten 500s in a hundred; a hundred in sixty minutes
		"deliverable: 2", "risky: 1", // the verdicts' minute
		"Queues", "SELECT pg_sleep(?)", "312 ms", "GET /v1/lists/{id}", "over 200ms")
	hour, day, _ := strings.Cut(res.body, "API routes, last 24 hours")
	if strings.Contains(hour, "GET /v1/lists</code>") || !strings.Contains(day, "GET /v1/lists</code>") {
		t.Error("the three-hour-old request is not in the day's table alone")
	}
	// Nobody else sees it.
	owner := h.signUp("Acme", "ann@acme.test")
	expect(t, owner.get("/admin/performance"), http.StatusNotFound)
}
