package alerts

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/mail"
)

// health is a health checker whose database check fails on demand.
type health struct {
	mu   sync.Mutex
	down bool
}

func (h *health) Check(context.Context) map[string]error {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string]error{"database": nil, "migrations": nil}
	if h.down {
		out["database"] = errors.New("connection refused")
	}
	return out
}

func (h *health) set(down bool) { h.mu.Lock(); h.down = down; h.mu.Unlock() }

func newTestService(t *testing.T) (*Service, *db.DB, *health, *time.Time) {
	t.Helper()
	d := dbtest.New(t)
	inserter, err := river.NewClient(riverdatabasesql.New(d.SQL), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h := &health{}
	s := NewService(Deps{DB: d, Mail: mail.NewQueue(inserter), Health: h})
	now := time.Now()
	s.now = func() time.Time { return now }
	if _, err := d.Exec(context.Background(), db.Platform(), `INSERT INTO users (email, password_hash, platform_admin) VALUES ('ops@mailvet.test', 'x', true)`); err != nil {
		t.Fatal(err)
	}
	return s, d, h, &now
}

func countRows(t *testing.T, d *db.DB, q string) int {
	t.Helper()
	var n int
	if err := d.QueryRow(context.Background(), db.Platform(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Every default rule's metric reads on a fresh database, and nothing
// fires there.
func TestDefaultRulesEvaluateQuietly(t *testing.T) {
	s, _, _, _ := newTestService(t)
	ev, err := s.Evaluate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if ev.Rules != 7 || len(ev.Fired) != 0 {
		t.Fatalf("evaluated %+v, want the 7 defaults, none fired", ev)
	}
}

// The default database rule fires only once its check has failed for a
// minute, mails the platform admin once, and resolves once.
func TestHealthRuleWaitsForItsDuration(t *testing.T) {
	s, d, h, now := newTestService(t)
	ctx := context.Background()
	step := func(advance time.Duration, wantState string) Evaluation {
		t.Helper()
		*now = now.Add(advance)
		ev, err := s.Evaluate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var state string
		if err := d.QueryRow(ctx, db.Platform(), `SELECT state FROM alert_rules WHERE metric = 'health_check'`).Scan(&state); err != nil {
			t.Fatal(err)
		}
		if state != wantState {
			t.Fatalf("after %s: state %s, want %s", advance, state, wantState)
		}
		return ev
	}
	h.set(true)
	step(0, StatePending)
	step(30*time.Second, StatePending)
	if ev := step(31*time.Second, StateFiring); len(ev.Fired) != 1 {
		t.Fatalf("fired %v", ev.Fired)
	}
	step(time.Minute, StateFiring)
	h.set(false)
	if ev := step(time.Minute, StateOK); len(ev.Resolved) != 1 {
		t.Fatalf("resolved %v", ev.Resolved)
	}
	step(time.Minute, StateOK)
	if n := countRows(t, d, `SELECT count(*) FROM river_job WHERE kind = 'mail.send'`); n != 2 {
		t.Fatalf("%d mails queued, want firing and resolved", n)
	}
	if n := countRows(t, d, `SELECT count(*) FROM river_job WHERE kind = 'alerts.webhook'`); n != 0 {
		t.Fatalf("%d webhook posts queued with no webhook set", n)
	}
	// A failing check that clears before its minute never fires.
	h.set(true)
	step(0, StatePending)
	h.set(false)
	step(10*time.Second, StateOK)
	if n := countRows(t, d, `SELECT count(*) FROM alert_notices`); n != 2 {
		t.Fatalf("%d notices, want 2", n)
	}
}

func TestShortDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0s", 10 * time.Second: "10s", 5 * time.Minute: "5m", 90 * time.Second: "1m30s",
		time.Hour: "1h", 90 * time.Minute: "1h30m", 24 * time.Hour: "24h"} {
		if got := ShortDuration(d); got != want {
			t.Errorf("ShortDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

// The rate and latency metrics read the last five minutes of the request
// log, of one route or all; queue lag reads River's oldest due job.
func TestMetricsReadTheirTables(t *testing.T) {
	_, d, _, _ := newTestService(t)
	ctx := context.Background()
	err := d.Tx(ctx, db.System("test: seed requests"), func(ctx context.Context, tx db.Tx) error {
		for _, q := range []string{
			`INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme')`,
			// 20 requests of POST /v1/verify (2 of them 500s) and 20 of GET /v1/lists (none),
			// 1 to 20 ms; an hour-old 500 that no longer counts.
			`INSERT INTO request_logs (id, tenant_id, created_at, method, route, path, status, duration_us, request_id)
				SELECT gen_random_uuid(), (SELECT id FROM tenants), now() - interval '1 minute', 'POST', r, '/', CASE WHEN r = 'POST /v1/verify' AND g <= 2 THEN 500 ELSE 200 END,
					g * 1000, 'x' FROM generate_series(1, 20) g, unnest(array['POST /v1/verify', 'GET /v1/lists']) r`,
			`INSERT INTO request_logs (id, tenant_id, created_at, method, route, path, status, duration_us, request_id)
				VALUES (gen_random_uuid(), (SELECT id FROM tenants), now() - interval '1 hour', 'POST', 'POST /v1/verify', '/', 500, 1, 'old')`,
			`INSERT INTO river_job (kind, args, queue, state, scheduled_at, max_attempts)
				VALUES ('mail.send', '{}', 'default', 'available', now() - interval '90 seconds', 1)`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for _, c := range []struct {
			r    Rule
			want float64
		}{
			{Rule{Metric: ErrorRate}, 5}, {Rule{Metric: ErrorRate, Target: "POST /v1/verify"}, 10}, {Rule{Metric: ErrorRate, Target: "GET /v1/lists"}, 0},
			{Rule{Metric: RouteP95, Target: "POST /v1/verify"}, 19.05}, // percentile_cont over 1…20 ms
			{Rule{Metric: QueueLag, Target: "lists"}, 0},
		} {
			v, err := value(ctx, tx, c.r, nil)
			if err != nil {
				return err
			}
			if v < c.want-0.001 || v > c.want+0.001 {
				t.Errorf("%s(%s) = %v, want %v", c.r.Metric, c.r.Target, v, c.want)
			}
		}
		lag, err := value(ctx, tx, Rule{Metric: QueueLag}, nil)
		if err == nil && (lag < 90 || lag > 3600) {
			t.Errorf("queue lag %v s, want about 90", lag)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
