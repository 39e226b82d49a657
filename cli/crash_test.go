package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/cli"
	"mailvet/config"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// TestMain lets this test binary act as a `mailvet work` process, so the
// crash test can start and SIGKILL real worker processes.
func TestMain(m *testing.M) {
	if os.Getenv("MAILVET_TEST_RUN_WORKER") == "1" {
		os.Exit(cli.Run(context.Background(), []string{"work"}, strings.NewReader(""), os.Stdout, os.Stderr, os.LookupEnv))
	}
	os.Exit(m.Run())
}

// A worker process killed mid-list (twice) loses and repeats nothing: once
// a third one finishes, every unique row has exactly one result.
func TestKilledWorkersNeitherLoseNorRepeatRows(t *testing.T) {
	if testing.Short() {
		t.Skip("starts worker processes")
	}
	d, dbURL := dbtest.NewWithURL(t)
	ctx := context.Background()
	farm := mailsim.ReferenceFarm(3, mailsim.FarmOptions{Domains: 30, Addresses: 4000, Latency: 150 * time.Millisecond})
	w := mailsim.Start(t, farm.Config())

	// Batches of 200 rows: twenty of them, so that each kill finds many
	// left however fast the machine verifies one (at the default 10,000
	// the whole list is two batches, and a worker's first write could
	// finish it).
	svc, owner, tenant := workspace(t, d, "Crash Test", func(c *config.Config) { c.ListBatchRows = 200 })
	// 4,000 addresses are more than the free plan's month.
	if err := d.Tx(ctx, db.Tenant(tenant.ID), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO subscriptions (tenant_id, plan_id, status) VALUES (?, 'premium', 'active')`, tenant.ID).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	store, by := svc.Lists, actor.User(owner.ID, owner.Email, actor.RoleOwner).In(tenant.ID)
	l, _, err := store.Create(ctx, lists.NewList{TenantID: tenant.ID, By: by, Name: "farm", Emails: farm.Emails()})
	if err != nil {
		t.Fatal(err)
	}

	env := append(os.Environ(),
		"MAILVET_TEST_RUN_WORKER=1",
		"DATABASE_URL="+dbURL,
		"MAILVET_DB_ROLE="+dbtest.Role,
		"MAILVET_DNS_SERVER="+w.DNSAddr(),
		"MAILVET_DNS_CANARIES="+farm.Domains[0].Name, // the default names real providers, unknown to the world
		"MAILVET_SMTP_PORT="+strconv.Itoa(w.SMTPPort()),
		"MAILVET_LIST_WORKERS=2",
		"MAILVET_LIST_BATCH_TIMEOUT=4s",
		"MAILVET_LOG_LEVEL=warn",
	)
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		return cmd
	}
	processed := func() int {
		got, err := store.Get(ctx, tenant.ID, l.ID, by)
		if err != nil {
			t.Fatal(err)
		}
		return got.ProcessedRows
	}
	waitFor := func(what string, limit time.Duration, cond func() bool) {
		deadline := time.Now().Add(limit)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within %s (processed %d of %d)", what, limit, processed(), l.UniqueRows)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	for kill := 1; kill <= 2; kill++ {
		before := processed()
		cmd := start()
		waitFor(fmt.Sprintf("progress under worker %d", kill), 90*time.Second, func() bool { return processed() > before })
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_, _ = cmd.Process.Wait()
		at := processed()
		if at >= l.UniqueRows {
			t.Fatalf("the list finished before worker %d was killed; make it longer", kill)
		}
		t.Logf("worker %d killed at %d of %d rows", kill, at, l.UniqueRows)
	}
	start()
	waitFor("completion after two crashes", 3*time.Minute, func() bool {
		got, _ := store.Get(ctx, tenant.ID, l.ID, by)
		return got.Status == lists.StatusCompleted
	})

	var done, pending, counted int
	if err := d.Tx(ctx, db.Tenant(tenant.ID), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'pending'),
				(SELECT deliverable + undeliverable + risky + unknown FROM lists WHERE id = ?)
			FROM list_rows WHERE list_id = ?`, l.ID, l.ID).Scan(ctx, &done, &pending, &counted)
	}); err != nil {
		t.Fatal(err)
	}
	if done != l.UniqueRows || pending != 0 || counted != l.UniqueRows || processed() != l.UniqueRows {
		t.Fatalf("done %d, pending %d, counted %d, processed %d; want all %d", done, pending, counted, processed(), l.UniqueRows)
	}
	// And the verdicts are right.
	expect := map[string]mailsim.Outcome{}
	for _, a := range farm.Addresses {
		expect[strings.ToLower(a.Email)] = a.Expect
	}
	page, err := store.Results(ctx, tenant.ID, l.ID, "", "", "", 1000, by)
	for err == nil {
		for _, r := range page.Results {
			want := map[mailsim.Outcome]string{mailsim.OutcomeExists: "deliverable", mailsim.OutcomeUnknown: "undeliverable", mailsim.OutcomeCatchAll: "risky"}[expect[strings.ToLower(r.Email)]]
			if r.Status != want {
				t.Fatalf("row %d %s: %s/%s, want %s", r.Row, r.Email, r.Status, r.Reason, want)
			}
		}
		if page.Next == "" {
			break
		}
		page, err = store.Results(ctx, tenant.ID, l.ID, "", "", page.Next, 1000, by)
	}
	if err != nil {
		t.Fatal(err)
	}
}
