package cli_test

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"

	"mailvet/actor"
	"mailvet/cli"
	"mailvet/config"
	"mailvet/db"
	"mailvet/tenants"
	"mailvet/wiring"
)

func envOf(m map[string]string) cli.Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// runCLI runs the command in this process and returns its exit status,
// stdout and stderr.
func runCLI(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errOut, envOf(env))
	return code, out.String(), errOut.String()
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// workspace builds the services on d as the processes do (their engine
// unused: the tests drive real processes) and a workspace with a verified
// owner, for the tests that seed what a started process works on.
func workspace(t *testing.T, d *db.DB, name string, settings ...func(*config.Config)) (*wiring.Services, tenants.User, tenants.Tenant) {
	t.Helper()
	ctx := context.Background()
	svc := services(t, d, settings...)
	owner, err := svc.Tenants.CreateUser(ctx, "ops@mailvet.test", "Ops", "correct horse battery", true, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := svc.Tenants.CreateTenant(ctx, name, owner.ID, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	return svc, owner, tenant
}

// services builds the services on d as the processes do (their engine
// unused), with the default settings changed by settings.
func services(t *testing.T, d *db.DB, settings ...func(*config.Config)) *wiring.Services {
	t.Helper()
	cfg := wiring.Defaults()
	for _, set := range settings {
		set(&cfg)
	}
	engine, err := wiring.NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(engine.Close)
	svc, err := wiring.Build(cfg, nil, d, engine)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}
