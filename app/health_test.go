package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/billing/stripemock"
	"mailvet/config"
	"mailvet/db/dbtest"
	"mailvet/health/healthtest"
	"mailvet/mail/mailtest"
)

// healthAnswer is /health's JSON, as monitoring reads it.
type healthAnswer struct {
	code   int
	Status string `json:"status"`
	Checks map[string]struct {
		Status    string   `json:"status"`
		Required  bool     `json:"required"`
		LatencyMS *float64 `json:"latency_ms"`
		Detail    string   `json:"detail"`
	} `json:"checks"`
}

// askHealth asks /health with the metrics token, as a load balancer
// with a 3 s timeout would: /health promises an answer within 2 s, so
// hitting the client's deadline fails the test.
func askHealth(t *testing.T, h *harness) healthAnswer {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", h.srv.URL+"/health", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	res, err := http.DefaultClient.Do(req)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("/health did not answer within the client's 3 s: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	a := healthAnswer{code: res.StatusCode}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatalf("/health %d: %v\n%s", res.StatusCode, err, body)
	}
	return a
}

// waitHealth asks /health until its overall status is want (River elects
// its leader within seconds of the worker starting).
func waitHealth(t *testing.T, h *harness, want string) healthAnswer {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := askHealth(t, h)
		if a.Status == want {
			return a
		}
		if time.Now().After(deadline) {
			t.Fatalf("/health stays %s (%d), want %s: %+v", a.Status, a.code, want, a.Checks)
		}
		sleep(100)
	}
}

// expectCheck fails unless check has status and its detail contains
// each of details.
func expectCheck(t *testing.T, a healthAnswer, check, status string, details ...string) {
	t.Helper()
	c, ok := a.Checks[check]
	if !ok || c.Status != status {
		t.Fatalf("check %s: %+v, want %s (all: %+v)", check, c, status, a.Checks)
	}
	for _, d := range details {
		if !strings.Contains(c.Detail, d) {
			t.Fatalf("check %s: detail %q lacks %q", check, c.Detail, d)
		}
	}
}

// Every optional dependency hangs (accepts and never answers): /health
// still answers in time, 200 degraded, each of them failing, timed out.
func TestHealthAnswersInTimeWhenDependenciesHang(t *testing.T) {
	mute, err := net.ListenPacket("udp", "127.0.0.1:0") // a resolver that never answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mute.Close() })
	h := newHarness(t, harnessOptions{
		stripeAPIBase: "http://" + healthtest.Hung(t),
		healthMailer:  "smtp://" + healthtest.Hung(t),
		health:        config.Health{ProbeMX: healthtest.Hung(t)},
		dnsServer:     mute.LocalAddr().String(),
	})
	a := askHealth(t, h)
	if a.code != http.StatusOK || a.Status != "degraded" {
		t.Fatalf("/health %d %s: %+v", a.code, a.Status, a.Checks)
	}
	for _, name := range []string{"smtp_egress", "mailer", "stripe", "dns"} {
		expectCheck(t, a, name, "failing", "timed out")
	}
	expectCheck(t, a, "database", "ok")
	expectCheck(t, a, "migrations", "ok")
	if c := a.Checks["database"]; !c.Required || c.LatencyMS == nil {
		t.Fatalf("database check %+v", c)
	}
}

// Nothing optional configured (no billing, no probe MX, no disk to
// watch): not_configured is no failure, /health is ok.
func TestHealthNotConfiguredIsOK(t *testing.T) {
	h := newHarness(t)
	a := waitHealth(t, h, "ok")
	if a.code != http.StatusOK {
		t.Fatalf("/health %d", a.code)
	}
	for _, name := range []string{"stripe", "smtp_egress", "disk"} {
		expectCheck(t, a, name, "not_configured")
	}
	expectCheck(t, a, "stripe", "not_configured", "billing is off")
	expectCheck(t, a, "mailer", "ok", "answers")
	expectCheck(t, a, "dns", "ok")
	expectCheck(t, a, "river", "ok", "leader")
}

// Everything configured and working: stripe-mock, an MX that greets, a
// disk with room.
func TestHealthAllConfiguredOK(t *testing.T) {
	mx := strings.TrimPrefix(mailtest.Start(t).URL, "smtp://")
	h := newHarness(t, harnessOptions{
		stripeAPIBase: stripemock.Start(t),
		health:        config.Health{ProbeMX: mx, DiskDir: t.TempDir(), DiskMinFree: 1},
	})
	a := waitHealth(t, h, "ok")
	expectCheck(t, a, "stripe", "ok")
	expectCheck(t, a, "smtp_egress", "ok", "220", "direct")
	expectCheck(t, a, "disk", "ok", "free in")
}

// A full disk and a queue whose jobs wait too long: degraded.
func TestHealthDiskAndQueueLag(t *testing.T) {
	h := newHarness(t, harnessOptions{health: config.Health{DiskDir: t.TempDir(), DiskMinFree: 1 << 60, QueueLag: time.Minute}})
	waitHealth(t, h, "degraded") // the disk; River's leader may still be coming
	// A job due an hour ago in a queue no worker serves.
	if _, err := h.owner().Exec(t.Context(), `INSERT INTO river_job (args, kind, max_attempts, queue, state, scheduled_at, priority)
		VALUES ('{}', 'health_lag', 1, 'health_lag', 'available', now() - interval '1 hour', 1)`); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for a := askHealth(t, h); !strings.Contains(a.Checks["river"].Detail, "behind"); a = askHealth(t, h) {
		if time.Now().After(deadline) {
			t.Fatalf("river check %+v", a.Checks["river"])
		}
		sleep(100)
	}
	a := askHealth(t, h)
	if a.code != http.StatusOK || a.Status != "degraded" {
		t.Fatalf("/health %d %s", a.code, a.Status)
	}
	expectCheck(t, a, "river", "failing", "queue health_lag 1h0m0s behind")
	expectCheck(t, a, "disk", "failing", "below 1.0 EiB")
}

// Migrations behind, then the database gone: the required checks fail,
// 503, in time.
func TestHealthRequiredChecksFailWith503(t *testing.T) {
	h := newHarness(t)
	waitHealth(t, h, "ok")
	if _, err := h.owner().Exec(t.Context(), `DELETE FROM bun_migrations WHERE id = (SELECT max(id) FROM bun_migrations)`); err != nil {
		t.Fatal(err)
	}
	a := askHealth(t, h)
	if a.code != http.StatusServiceUnavailable || a.Status != "failing" {
		t.Fatalf("/health %d %s", a.code, a.Status)
	}
	expectCheck(t, a, "migrations", "failing", "1 migrations pending")
	public := h.browser().get("/health")
	expect(t, public, http.StatusServiceUnavailable, `"status":"failing"`, `"migrations":{"status":"failing"}`)

	// The database refuses new connections and loses the ones it had.
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	name := h.db.Pool.Config().ConnConfig.Database
	t.Cleanup(func() {
		_, _ = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" ALLOW_CONNECTIONS true")
		_ = admin.Close(ctx)
	})
	if _, err := admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(ctx, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", name); err != nil {
		t.Fatal(err)
	}
	a = askHealth(t, h)
	if a.code != http.StatusServiceUnavailable || a.Status != "failing" {
		t.Fatalf("/health %d %s", a.code, a.Status)
	}
	expectCheck(t, a, "database", "failing")
}

// River's and the migrations' tables locked by a stuck transaction: their
// checks time out in time; River's is optional (degraded, 200), the
// migrations' required (failing, 503).
func TestHealthAnswersInTimeWhenTablesAreLocked(t *testing.T) {
	h := newHarness(t)
	waitHealth(t, h, "ok")
	stuck, err := h.owner().Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = stuck.Rollback(context.Background()) })
	if _, err := stuck.Exec(t.Context(), "LOCK TABLE river_leader IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	a := askHealth(t, h)
	if a.code != http.StatusOK || a.Status != "degraded" {
		t.Fatalf("/health %d %s: %+v", a.code, a.Status, a.Checks)
	}
	expectCheck(t, a, "river", "failing", "timed out")

	if _, err := stuck.Exec(t.Context(), "LOCK TABLE bun_migrations IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	a = askHealth(t, h)
	if a.code != http.StatusServiceUnavailable || a.Status != "failing" {
		t.Fatalf("/health %d %s: %+v", a.code, a.Status, a.Checks)
	}
	expectCheck(t, a, "migrations", "failing", "timed out")
	expectCheck(t, a, "database", "ok")
}
