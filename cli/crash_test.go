package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/tenants"
	"mailvet/verify/mailsim"
)

// TestMain lets this test binary act as a `mailvet work` process, so the
// crash test can start and SIGKILL real worker processes.
func TestMain(m *testing.M) {
	if os.Getenv("MAILVET_TEST_RUN_WORKER") == "1" {
		os.Exit(run(context.Background(), []string{"work"}, strings.NewReader(""), os.Stdout, os.Stderr, os.LookupEnv))
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

	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("http://mailvet.test")
	ts := tenants.NewStore(d.Bun, mail.NewQueue(inserter), base, tenants.Options{})
	owner, err := ts.CreateUser(ctx, "ops@mailvet.test", "Ops", "correct horse battery", false)
	if err != nil {
		t.Fatal(err)
	}
	tenant, err := ts.CreateTenant(ctx, "Crash Test", owner.ID, cliActor())
	if err != nil {
		t.Fatal(err)
	}
	store := lists.NewStore(d, inserter, lists.Options{})
	l, _, err := store.Create(ctx, lists.NewList{TenantID: tenant.ID, Name: "farm", Emails: farm.Emails()})
	if err != nil {
		t.Fatal(err)
	}

	env := append(os.Environ(),
		"MAILVET_TEST_RUN_WORKER=1",
		"DATABASE_URL="+dbURL,
		"MAILVET_DNS_SERVER="+w.DNSAddr(),
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
		got, err := store.Get(ctx, tenant.ID, l.ID)
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
		if processed() >= l.UniqueRows {
			t.Fatalf("the list finished before worker %d was killed; make it longer", kill)
		}
	}
	start()
	waitFor("completion after two crashes", 3*time.Minute, func() bool {
		got, _ := store.Get(ctx, tenant.ID, l.ID)
		return got.Status == lists.StatusCompleted
	})

	var done, pending, counted int
	if err := d.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE state = 'done'), count(*) FILTER (WHERE state = 'pending'),
			(SELECT deliverable + undeliverable + risky + unknown FROM lists WHERE id = $1)
		FROM list_rows WHERE list_id = $1`, l.ID).Scan(&done, &pending, &counted); err != nil {
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
	page, err := store.Results(ctx, tenant.ID, l.ID, "", "", "", 1000)
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
		page, err = store.Results(ctx, tenant.ID, l.ID, "", "", page.Next, 1000)
	}
	if err != nil {
		t.Fatal(err)
	}
}
