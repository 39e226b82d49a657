package main

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"mailvet/db/dbtest"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errOut, envOf(env))
	return code, out.String(), errOut.String()
}

func TestAdminCommandsBootstrapATenantAndKey(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	env := map[string]string{"DATABASE_URL": url, "MAILVET_LOG_LEVEL": "error"}

	if code, out, errOut := runCLI(t, env, "migrate"); code != 0 || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %d %s %s", code, out, errOut)
	}
	code, out, errOut := runCLI(t, env, "admin", "create-user", "--email", "ops@acme.test", "--platform-admin")
	if code != 0 || !strings.Contains(out, "password: ") {
		t.Fatalf("create-user: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, env, "admin", "create-user", "--email", "OPS@acme.test")
	if code != 1 {
		t.Fatalf("duplicate user: exit %d %s", code, out)
	}
	code, out, errOut = runCLI(t, env, "admin", "create-tenant", "--name", "Acme Ops", "--owner-email", "ops@acme.test")
	if code != 0 || strings.TrimSpace(out) != "acme-ops" {
		t.Fatalf("create-tenant: %d %q %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, env, "admin", "create-key", "--tenant", "acme-ops", "--mode", "test", "--name", "CI")
	if code != 0 || !regexp.MustCompile(`^mv_test_[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
		t.Fatalf("create-key must print the key alone: %d %q %s", code, out, errOut)
	}

	for _, bad := range [][]string{
		{"admin", "create-key", "--tenant", "nope"},
		{"admin", "create-tenant", "--name", "X", "--owner-email", "nobody@acme.test"},
	} {
		if code, _, errOut := runCLI(t, env, bad...); code != 1 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errOut)
		}
	}
	for _, bad := range [][]string{
		{"admin", "create-key"},
		{"admin", "create-key", "--tenant", "acme-ops", "--mode", "prod"},
		{"admin", "frobnicate"},
		{"nonsense"},
	} {
		if code, _, _ := runCLI(t, env, bad...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)", bad, code)
		}
	}
}

func TestServeHelpListsSettings(t *testing.T) {
	code, _, errOut := runCLI(t, nil, "serve", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, name := range []string{"DATABASE_URL", "PORT", "MAILVET_MAILER_URL", "SENTRY_DSN", "MAILVET_WEB_WORKERS"} {
		if !strings.Contains(errOut, name) {
			t.Errorf("--help does not list %s", name)
		}
	}
}

func TestBadSettingsStopTheServiceWithAMessage(t *testing.T) {
	code, _, errOut := runCLI(t, map[string]string{"PORT": "http", "MAILVET_WORKERS": "-1"}, "serve")
	if code != 1 || !strings.Contains(errOut, `PORT="http"`) || !strings.Contains(errOut, "MAILVET_WORKERS") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// serve refuses to start on an unmigrated database, then runs once migrated.
func TestServeRequiresMigrationsAndAnswersHealth(t *testing.T) {
	d, url := dbtest.NewWithURL(t)
	if _, err := d.SQL.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": url, "PORT": "1", "MAILVET_LOG_LEVEL": "error"}
	if code, _, errOut := runCLI(t, env, "serve"); code != 1 || !strings.Contains(errOut, "mailvet migrate") {
		t.Fatalf("unmigrated serve: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, env, "migrate"); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	env["PORT"] = freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		var out, errOut bytes.Buffer
		done <- run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errOut, envOf(env))
	}()
	var res *http.Response
	var err error
	for range 100 {
		if res, err = http.Get("http://127.0.0.1:" + env["PORT"] + "/healthz"); err == nil {
			break
		}
		sleepMS(50)
	}
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	res.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d after shutdown", code)
	}
}
