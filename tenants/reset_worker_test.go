package tenants_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/mail/mailtest"
	"mailvet/tenants"
)

// waitLimit bounds every wait on the worker: far above what a job takes,
// so a wait that reaches it means the job never ran.
const waitLimit = 30 * time.Second

// worker is a River worker for the fixture's store, as the service runs
// one: reset requests are worked through the tenants domain and the mail
// they queue is delivered over SMTP to a server the test reads.
type worker struct {
	mail   *mailtest.Server
	events <-chan *river.Event
}

// startWorker runs the worker until t ends. Jobs queued before it starts
// are worked too.
func (f fixture) startWorker(t testing.TB) *worker {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := mailtest.Start(t)
	sender, err := mail.NewSender(srv.URL, "mailvet <no-reply@mailvet.test>", log)
	if err != nil {
		t.Fatal(err)
	}
	client, err := jobs.NewClient(f.db, jobs.Deps{Tenants: f.store, Mailer: sender},
		jobs.Options{Work: true, Logger: log, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	// Subscribed before the start, so that no job's end is missed.
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = client.Stop(ctx)
		cancel()
	})
	return &worker{mail: srv, events: events}
}

// resetLink waits for the reset mail to reach `to` and returns the path of
// its link.
func (w *worker) resetLink(t testing.TB, to string) string {
	t.Helper()
	m := w.mail.WaitFor(t, to, "Reset your mailvet password", waitLimit)
	found := linkRE.FindStringSubmatch(m.Body)
	if found == nil {
		t.Fatalf("no link in the reset mail to %s:\n%s", to, m.Body)
	}
	return found[1]
}

// resetDone waits until the reset request for email has been worked (its
// job completed), failing t if the job fails instead. The job completes in
// the transaction that stores the token and queues the mail, so whatever
// the request made is in the database when this returns.
func (w *worker) resetDone(t testing.TB, email string) {
	t.Helper()
	kind := tenants.PasswordResetArgs{}.Kind()
	deadline := time.After(waitLimit)
	for {
		select {
		case e := <-w.events:
			if e.Job.Kind != kind {
				continue
			}
			var args tenants.PasswordResetArgs
			if err := json.Unmarshal(e.Job.EncodedArgs, &args); err != nil {
				t.Fatal(err)
			}
			if args.Email != email {
				continue
			}
			if e.Kind != river.EventKindJobCompleted {
				t.Fatalf("reset request for %s failed: %v", email, e.Job.Errors)
			}
			return
		case <-deadline:
			t.Fatalf("the reset request for %s was not worked within %s", email, waitLimit)
		}
	}
}
