package schedules_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/db/dbtest"
	"mailvet/lists"
	"mailvet/schedules"
	"mailvet/tenants"
	"mailvet/verify/mailsim"
)

// Bad schedules are refused with an error of their own and change
// nothing: a cron expression that does not parse, one more frequent than
// the plan allows (the free plan: weekly), a time zone that does not
// exist, a list that was deleted. Members may not set schedules.
func TestBadSchedulesAreRefusedAndChangeNothing(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann"}}}})
	e := setup(t, world)
	e.start()
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l := e.list(t, a, "crm", "ann@shop.test")
	good, err := e.sched.Put(ctx, a.ID, l.ID, schedules.Input{Every: "monthly"}, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if good.TimeZone != "UTC" || good.Cron != "0 3 1 * *" {
		t.Fatalf("monthly in the workspace's zone: %+v", good)
	}
	var cronErr *schedules.CronError
	var freqErr *schedules.TooFrequentError
	for _, c := range []struct {
		in   schedules.Input
		want func(error) bool
	}{
		{schedules.Input{Every: "cron", Cron: "61 * * * *"}, func(err error) bool { return errors.As(err, &cronErr) }},
		{schedules.Input{Every: "cron", Cron: "CRON_TZ=Europe/Paris 0 3 * * *"}, func(err error) bool { return errors.As(err, &cronErr) }},
		{schedules.Input{Every: "cron"}, func(err error) bool { return errors.As(err, &cronErr) }},
		{schedules.Input{Every: "daily"}, func(err error) bool {
			return errors.As(err, &freqErr) && freqErr.Error() == "the schedule runs every 1 day at its most frequent; the Free plan allows at most one run every 7 days"
		}},
		{schedules.Input{Every: "cron", Cron: "0 3 * * 1,4"}, func(err error) bool { return errors.As(err, &freqErr) && freqErr.Interval == 72*time.Hour }},
		{schedules.Input{Every: "weekly", TimeZone: "Mars/Olympus_Mons"}, func(err error) bool { return errors.Is(err, schedules.ErrUnknownTimeZone) }},
		{schedules.Input{Every: "weekly", TimeZone: "Local"}, func(err error) bool { return errors.Is(err, schedules.ErrUnknownTimeZone) }},
		{schedules.Input{Every: "hourly"}, func(err error) bool { return errors.Is(err, schedules.ErrInvalidEvery) }},
	} {
		if _, err := e.sched.Put(ctx, a.ID, l.ID, c.in, a.Owner); !c.want(err) {
			t.Errorf("%+v: %v", c.in, err)
		}
	}
	member := e.member(t, a, "mel", actor.RoleMember)
	if _, err := e.sched.Put(ctx, a.ID, l.ID, schedules.Input{Every: "weekly"}, member); !errors.Is(err, actor.ErrForbidden) {
		t.Errorf("a member's schedule: %v", err)
	}
	if got, err := e.sched.Get(ctx, a.ID, l.ID, member); err != nil || fmt.Sprint(got) != fmt.Sprint(good) {
		t.Fatalf("after the refusals: %+v %v, want %+v unchanged", got, err, good)
	}
	if err := e.lists.Delete(ctx, a.ID, l.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sched.Put(ctx, a.ID, l.ID, schedules.Input{Every: "weekly"}, a.Owner); !errors.Is(err, lists.ErrNotFound) {
		t.Errorf("a schedule on a deleted list: %v", err)
	}
	if n := e.count(t, `SELECT count(*) FROM list_schedules`); n != 0 {
		t.Errorf("%d schedules left after the list was deleted", n)
	}
	// A paused schedule has no next run.
	l2 := e.list(t, a, "crm2", "ann@shop.test")
	if s, err := e.sched.Put(ctx, a.ID, l2.ID, schedules.Input{Every: "weekly", Paused: true}, a.Owner); err != nil || s.NextRunAt != nil {
		t.Fatalf("paused: %+v %v", s, err)
	}
}

// Another tenant finds none of a tenant's schedules, runs or changes,
// through the service and through the database's guard; a test key finds
// none of the live lists'.
func TestSchedulesRunsAndChangesAreIsolated(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob"}}}})
	e := setup(t, world)
	e.start()
	a, b := e.workspace(t, "alpha"), e.workspace(t, "beta")
	ctx := context.Background()
	l := e.list(t, a, "crm", "ann@shop.test", "bob@shop.test")
	if _, err := e.sched.Put(ctx, a.ID, l.ID, schedules.Input{Every: "monthly"}, a.Owner); err != nil {
		t.Fatal(err)
	}
	if err := world.SetMailboxes("shop.test", []string{"ann"}); err != nil {
		t.Fatal(err)
	}
	run, err := e.sched.RunNow(ctx, a.ID, l.ID, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if run = e.waitRun(t, a, l.ID, run.ID); run.Changed != 1 {
		t.Fatalf("run %+v, want one change", run)
	}
	k, _, err := e.tenants.CreateAPIKey(ctx, a.ID, tenants.NewKeyInput{Name: "test", Mode: tenants.ModeTest}, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	for name, by := range map[string]actor.Actor{"another tenant's owner": b.Owner, "a test key": k.Actor()} {
		tenantID := a.ID
		checks := map[string]error{}
		_, checks["get"] = e.sched.Get(ctx, tenantID, l.ID, by)
		_, checks["put"] = e.sched.Put(ctx, tenantID, l.ID, schedules.Input{Every: "monthly"}, by)
		checks["delete"] = e.sched.Delete(ctx, tenantID, l.ID, by)
		_, checks["run now"] = e.sched.RunNow(ctx, tenantID, l.ID, by)
		_, checks["runs"] = e.sched.Runs(ctx, tenantID, l.ID, "", 10, by)
		_, checks["run"] = e.sched.GetRun(ctx, tenantID, l.ID, run.ID, by)
		_, checks["changes"] = e.sched.Changes(ctx, tenantID, l.ID, run.ID, "", "", 10, by)
		_, checks["cancel"] = e.sched.Cancel(ctx, tenantID, l.ID, run.ID, by)
		for op, err := range checks {
			if !errors.Is(err, lists.ErrNotFound) {
				t.Errorf("%s: %s: %v, want not found", name, op, err)
			}
		}
	}
	// B's own list id with A's run: not found either.
	lb := e.list(t, b, "theirs", "ann@shop.test")
	if _, err := e.sched.GetRun(ctx, b.ID, lb.ID, run.ID, b.Owner); !errors.Is(err, schedules.ErrRunNotFound) {
		t.Errorf("A's run under B's list: %v", err)
	}
	var csv strings.Builder
	if err := e.sched.ChangesCSV(ctx, b.ID, lb.ID, run.ID, b.Owner, &csv); !errors.Is(err, schedules.ErrRunNotFound) {
		t.Errorf("A's changes under B's list: %v", err)
	}
	if _, err := e.sched.Get(ctx, a.ID, l.ID, a.Owner); err != nil {
		t.Fatalf("the owner lost the schedule: %v", err)
	}
	dbtest.RequireHidden(t, e.d, b.ID, a.ID, "list_schedules", "list_runs", "list_run_changes")
}
