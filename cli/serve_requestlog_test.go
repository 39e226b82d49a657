package cli_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/cli"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/tenants"
)

// `mailvet serve` stopping (SIGTERM cancels its context) writes the API
// requests still waiting in the request log's buffer before it exits:
// the calls answered just before the stop are all in the table after it.
func TestServeWritesTheRequestLogAtShutdown(t *testing.T) {
	d, dbURL := dbtest.NewWithURL(t)
	ctx := context.Background()
	svc, _, tenant := workspace(t, d, "Shutdown")
	_, key, err := svc.Tenants.CreateAPIKey(ctx, tenant.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeTest}, actor.Operator().In(tenant.ID))
	if err != nil {
		t.Fatal(err)
	}

	port := freePort(t)
	env := map[string]string{
		"DATABASE_URL": dbURL, "MAILVET_DB_ROLE": dbtest.Role, "PORT": port, "MAILVET_WEB_WORKERS": "false",
		"MAILVET_SECRET_KEY": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "MAILVET_DNS_CANARIES": "none",
	}
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	exited := make(chan int, 1)
	go func() {
		exited <- cli.Run(serveCtx, []string{"serve"}, strings.NewReader(""), io.Discard, io.Discard, envOf(env))
	}()
	base := "http://127.0.0.1:" + port
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not come up in 30s")
		}
	}
	const calls = 5
	for range calls {
		req, _ := http.NewRequest("GET", base+"/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /v1/me: %d", res.StatusCode)
		}
	}
	stop()
	if code := <-exited; code != 0 {
		t.Fatalf("serve exited with %d", code)
	}
	var n int
	if err := d.Tx(ctx, db.System("test: count the logged requests"), func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*) FROM request_logs WHERE route = 'GET /v1/me'`).Scan(&n)
	}); err != nil {
		t.Fatal(err)
	}
	if n != calls {
		t.Fatalf("%d requests logged after the shutdown, want %d", n, calls)
	}
}
