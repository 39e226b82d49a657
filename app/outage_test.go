package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/db/dbtest"
)

// During a database outage clients are told to come back (503
// service_unavailable with Retry-After), not that we failed (500).
func TestDatabaseOutageIsServiceUnavailable(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live := newKey(t, owner, "live")
	c := newContract(t, h)

	// The outage: the test database refuses new connections and loses the
	// ones it had, as in a fail-over.
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	name := pgx.Identifier{h.db.Pool.Config().ConnConfig.Database}.Sanitize()
	t.Cleanup(func() {
		_, _ = admin.Exec(ctx, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true")
		_ = admin.Close(ctx)
	})
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
		h.db.Pool.Config().ConnConfig.Database); err != nil {
		t.Fatal(err)
	}

	for _, call := range []func() response{
		func() response { return c.call("POST", "/v1/verify", live, `{"email":"ann@shop.test"}`) },
		func() response { return c.call("GET", "/v1/lists", live, "") },
		func() response { return c.call("GET", "/v1/me", live, "") },
	} {
		res := call()
		expectProblem(t, res, http.StatusServiceUnavailable, "service_unavailable")
		if res.Header.Get("Retry-After") == "" {
			t.Fatal("503 without Retry-After")
		}
	}
	page := owner.get("/dashboard")
	expect(t, page, http.StatusServiceUnavailable, "cannot reach our database")
	if page.Header.Get("Retry-After") == "" || page.Header.Get("X-Request-Id") == "" {
		t.Fatalf("outage page headers %v", page.Header)
	}
	if strings.Contains(page.body, "internal") {
		t.Fatalf("outage page blames us:\n%s", abbreviate(page.body))
	}

	// When the database is back, so is the service.
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+name+" ALLOW_CONNECTIONS true"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for c.call("GET", "/v1/me", live, "").StatusCode != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("the service did not recover from the outage")
		}
		sleep(100)
	}
}
