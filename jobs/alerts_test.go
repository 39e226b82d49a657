package jobs_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"mailvet/alerts"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/webhooks/transport"
)

const alertSecret = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

// recordingSender keeps the mails a worker sends.
type recordingSender struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (r *recordingSender) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, m)
	return nil
}

func (r *recordingSender) count(subjectPrefix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, m := range r.sent {
		if strings.HasPrefix(m.Subject, subjectPrefix) {
			n++
		}
	}
	return n
}

// alertReceiver is the operator's webhook: it verifies each post's
// signature and counts the payloads by type.
type alertReceiver struct {
	mu    sync.Mutex
	types map[string]int
	bad   int
}

func (a *alertReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	hook, _ := standardwebhooks.NewWebhook(alertSecret)
	var p alerts.Payload
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := hook.Verify(body, r.Header); err != nil || json.Unmarshal(body, &p) != nil {
		a.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	a.types[p.Type]++
}

func (a *alertReceiver) count(typ string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.types[typ]
}

// Two workers evaluate the rules, periodically and also whenever either
// is asked to, all at once: a rule whose condition holds fires once (one
// signed post, one mail per platform admin) and, once the condition is
// gone, resolves once.
func TestAlertFiresOnceAndResolvesOnceWithTwoWorkers(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	receiver := &alertReceiver{types: map[string]int{}}
	srv := httptest.NewServer(receiver)
	t.Cleanup(srv.Close)
	client := transport.NewClient(transport.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, AllowHTTP: true})
	svc := alerts.NewService(alerts.Deps{DB: d, Mail: mail.NewQueue(inserter),
		Hook: alerts.Webhook{URL: srv.URL + "/alerts", Secret: alertSecret, Client: client}})

	exec(t, d, `INSERT INTO users (email, password_hash, platform_admin) VALUES ('ops@mailvet.test', 'x', true), ('ann@acme.test', 'x', false)`)
	// Only the default rule on request-log losses watches; a process
	// lost entries.
	exec(t, d, `UPDATE alert_rules SET enabled = (metric = 'request_log_drops')`)
	exec(t, d, `INSERT INTO request_log_drops (dropped) VALUES (3)`)

	sender := &recordingSender{}
	var workers []*jobs.Client
	for range 2 {
		w, err := jobs.NewClient(d, jobs.Deps{Mailer: sender, Alerts: svc},
			jobs.Options{Work: true, Logger: log, AlertEvery: 100 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = w.Stop(context.Background()) })
		workers = append(workers, w)
	}
	// Rounds of evaluation: six jobs at once, three through each worker,
	// on top of the leader's periodic ones.
	rounds := func(n int) {
		t.Helper()
		for range n {
			var ids []int64
			for i := range 6 {
				res, err := workers[i%2].Insert(ctx, alerts.EvaluateArgs{}, nil)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, res.Job.ID)
			}
			waitFor(t, d, "the evaluations to complete", func(tx db.Tx) bool {
				var left int
				_ = tx.QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE id = ANY(?::bigint[]) AND state <> 'completed'", ids).Scan(&left)
				return left == 0
			})
		}
	}
	delivered := func(what string, cond func() bool) {
		t.Helper()
		waitFor(t, d, what, func(db.Tx) bool { return cond() })
	}

	rounds(3)
	delivered("the firing post and mail", func() bool { return receiver.count("alert.firing") >= 1 && sender.count("[mailvet alert] FIRING") >= 1 })
	rounds(2)
	waitFor(t, d, "every queued post and mail to be done", func(tx db.Tx) bool {
		return count(t, d, `SELECT count(*) FROM river_job WHERE kind IN ('alerts.webhook', 'mail.send') AND state <> 'completed'`) == 0
	})
	if f, m := receiver.count("alert.firing"), sender.count("[mailvet alert] FIRING"); f != 1 || m != 1 {
		t.Fatalf("%d firing posts and %d firing mails, want 1 and 1", f, m)
	}
	if n := count(t, d, `SELECT count(*) FROM alert_rules WHERE state = 'firing'`); n != 1 {
		t.Fatalf("%d rules firing, want 1", n)
	}

	exec(t, d, `DELETE FROM request_log_drops`)
	rounds(3)
	delivered("the resolved post and mail", func() bool {
		return receiver.count("alert.resolved") >= 1 && sender.count("[mailvet alert] resolved") >= 1
	})
	rounds(2)
	waitFor(t, d, "every queued post and mail to be done", func(tx db.Tx) bool {
		return count(t, d, `SELECT count(*) FROM river_job WHERE kind IN ('alerts.webhook', 'mail.send') AND state <> 'completed'`) == 0
	})
	if f, r, m := receiver.count("alert.firing"), receiver.count("alert.resolved"), sender.count("[mailvet alert] resolved"); f != 1 || r != 1 || m != 1 {
		t.Fatalf("%d firing and %d resolved posts, %d resolved mails; want 1, 1, 1", f, r, m)
	}
	if receiver.bad != 0 {
		t.Fatalf("%d posts failed the signature check", receiver.bad)
	}
	if n := count(t, d, `SELECT count(*) FROM alert_notices`); n != 2 {
		t.Fatalf("%d notices, want 2", n)
	}
}
