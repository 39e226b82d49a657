package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"mailvet/cli"
	"mailvet/config"
	"mailvet/db/dbtest"
)

func TestAdminCommandsBootstrapATenantAndKey(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	env := map[string]string{"DATABASE_URL": url, "MAILVET_DB_ROLE": dbtest.Role, "MAILVET_LOG_LEVEL": "error"}

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
	code, out, errOut = runCLI(t, env, "admin", "create-key", "--tenant", "acme-ops", "--mode", "test", "--scopes", "verify,keys", "--expires-in", "30")
	if code != 0 || !regexp.MustCompile(`^mv_test_[A-Za-z0-9_-]{43}\n$`).MatchString(out) {
		t.Fatalf("create-key with scopes and an expiry: %d %q %s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, env, "admin", "create-key", "--tenant", "acme-ops", "--scopes", "verify,everything"); code != 1 || !strings.Contains(errOut, `unknown scope "everything"`) {
		t.Errorf("an unknown scope: exit %d, stderr %q", code, errOut)
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
		{"admin", "create-key", "--tenant", "acme-ops", "--expires-in", "5000"},
		{"admin", "frobnicate"},
		{"nonsense"},
		{"bench", "smtp"}, // a command of its own now: not linked into mailvet
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
	for _, name := range []string{"DATABASE_URL", "MAILVET_DB_ROLE", "PORT", "MAILVET_MAILER_URL", "SENTRY_DSN", "MAILVET_WEB_WORKERS"} {
		if !strings.Contains(errOut, name) {
			t.Errorf("--help does not list %s", name)
		}
	}
}

// The README's settings table names every setting the service reads.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Settings() {
		if !bytes.Contains(readme, []byte("| `"+s.Name+"` |")) {
			t.Errorf("README's settings table has no row for %s", s.Name)
		}
	}
}

func TestBadSettingsStopTheServiceWithAMessage(t *testing.T) {
	code, _, errOut := runCLI(t, map[string]string{"PORT": "http", "MAILVET_WORKERS": "-1"}, "serve")
	if code != 1 || !strings.Contains(errOut, `PORT="http"`) || !strings.Contains(errOut, "MAILVET_WORKERS") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// serve and work refuse a role for which PostgreSQL skips row-level
// security (here the test server's superuser login, MAILVET_DB_ROLE
// unset), naming the setting that fixes it.
func TestServeAndWorkRefuseARoleThatBypassesTheTenantGuard(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	for _, cmd := range []string{"serve", "work"} {
		env := map[string]string{"DATABASE_URL": url, "PORT": freePort(t), "MAILVET_LOG_LEVEL": "error"}
		code, _, errOut := runCLI(t, env, cmd)
		if code != 1 || !strings.Contains(errOut, "MAILVET_DB_ROLE") || !strings.Contains(errOut, "superuser or has BYPASSRLS") {
			t.Errorf("%s as a superuser: exit %d: %s", cmd, code, errOut)
		}
	}
}

// serve refuses to start on an unmigrated database; migrate (as the
// login) creates the schema and grants MAILVET_DB_ROLE; then serve runs
// as that role.
func TestServeRequiresMigrationsAndAnswersHealth(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, url) // the login, the tables' owner
	if err != nil {
		t.Fatal(err)
	}
	_, err = owner.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
	owner.Close(ctx)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": url, "MAILVET_DB_ROLE": dbtest.Role, "PORT": "1", "MAILVET_LOG_LEVEL": "error"}
	if code, _, errOut := runCLI(t, env, "serve"); code != 1 || !strings.Contains(errOut, "mailvet migrate") {
		t.Fatalf("unmigrated serve: %d %s", code, errOut)
	}
	if code, out, errOut := runCLI(t, env, "migrate"); code != 0 || !strings.Contains(out, "role "+dbtest.Role) {
		t.Fatalf("migrate: %s %s", out, errOut)
	}
	env["PORT"] = freePort(t)
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan int)
	var errOut bytes.Buffer
	go func() {
		var out bytes.Buffer
		done <- cli.Run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errOut, envOf(env))
	}()
	var res *http.Response
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err = http.Get("http://127.0.0.1:" + env["PORT"] + "/healthz"); err == nil {
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errOut.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz: %v", err)
		}
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("healthz: %s", res.Status)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d after shutdown: %s", code, errOut.String())
	}
}
