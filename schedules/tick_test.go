package schedules_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"mailvet/db"
	"mailvet/jobs"
	"mailvet/schedules"
	"mailvet/verify/mailsim"
)

// Two worker processes (two River clients, both ticking every 50 ms, one
// of them River's leader) and the test's own ticks racing them: each
// period of a weekly schedule runs exactly once, and periods missed while
// nothing ran (three weeks down) run once when the clock comes back.
func TestEachPeriodRunsExactlyOnceAcrossWorkers(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob"}}}})
	e := setup(t, world)
	e.start()
	e.start()
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l := e.list(t, a, "crm", "ann@shop.test", "bob@shop.test", "cat@shop.test")
	s, err := e.sched.Put(ctx, a.ID, l.ID, schedules.Input{Every: "weekly", TimeZone: "Europe/Paris"}, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 7 December 2026, 03:00 in Paris.
	first := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	if s.NextRunAt == nil || !s.NextRunAt.Equal(first) {
		t.Fatalf("next run at %v, want %v", s.NextRunAt, first)
	}
	race := func() {
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.sched.Tick(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	runs := func() []schedules.Run {
		page, err := e.sched.Runs(ctx, a.ID, l.ID, "", 50, a.Owner)
		if err != nil {
			t.Fatal(err)
		}
		return page.Runs
	}
	race() // before the period: nothing is due
	if n := len(runs()); n != 0 {
		t.Fatalf("%d runs before the first period", n)
	}

	e.clock.set(first.Add(time.Minute))
	race()
	eventually(t, "the first period's run", func() bool { r := runs(); return len(r) == 1 && r[0].Finished() })

	// Down for three weeks: the missed periods make one run, for the
	// first of them, and the schedule moves past the clock.
	e.clock.set(first.AddDate(0, 0, 21).Add(time.Hour))
	race()
	eventually(t, "the missed periods' run", func() bool { r := runs(); return len(r) == 2 && r[0].Finished() })
	race()

	got := runs()
	if len(got) != 2 {
		t.Fatalf("%d runs, want 2", len(got))
	}
	second := first.AddDate(0, 0, 7)
	for i, want := range []time.Time{second, first} {
		r := got[i]
		if r.Status != schedules.RunCompleted || r.Trigger != schedules.TriggerSchedule || r.Period == nil || !r.Period.Equal(want) || r.Checked != 3 {
			t.Fatalf("run %d: %+v, want a completed run of period %v that checked 3", i, r, want)
		}
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'schedules.run'`); n != 2 {
		t.Fatalf("%d run jobs, want 2", n)
	}
	// Each job is unique per schedule and period.
	for _, want := range []time.Time{first, second} {
		key := "schedule:" + s.ID.String() + ":" + want.Format(time.RFC3339)
		if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'schedules.run' AND args->>'key' = ? AND unique_key IS NOT NULL`, key); n != 1 {
			t.Fatalf("%d jobs of key %s, want 1", n, key)
		}
	}
	// River itself refuses a second job for a period it has (a tick that
	// lost its row lock and its unique run row would still stop here).
	inserter, err := jobs.NewClient(e.d, jobs.Deps{}, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.d.Tx(ctx, db.System("test: insert a duplicate period"), func(ctx context.Context, tx db.Tx) error {
		dup := schedules.RunArgs{TenantID: a.ID, RunID: got[1].ID, ScheduleID: &s.ID, Period: got[1].Period,
			Key: "schedule:" + s.ID.String() + ":" + first.Format(time.RFC3339)}
		res, err := inserter.InsertTx(ctx, tx.Tx.Tx, dup, nil)
		if err == nil && !res.UniqueSkippedAsDuplicate {
			t.Errorf("River took a second job for the first period: %+v", res.Job)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	s, err = e.sched.Get(ctx, a.ID, l.ID, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if want := first.AddDate(0, 0, 28); s.NextRunAt == nil || !s.NextRunAt.Equal(want) {
		t.Fatalf("next run at %v, want %v", s.NextRunAt, want)
	}
	// Each run was charged: 3 for the upload, 3 for each run.
	if q, err := e.billing.Usage(ctx, a.ID); err != nil || q.MonthUsed != 9 {
		t.Fatalf("month used %d (%v), want 9", q.MonthUsed, err)
	}
}
