package schedules_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/rules"
	"mailvet/schedules"
	"mailvet/verify/mailsim"
	"mailvet/webhooks"
)

// The mailboxes of a farm change between runs: the second run, which
// skips the result cache the upload filled, reports exactly what changed,
// by transition, its CSV lists exactly those addresses, and the list's
// counts follow. Its schedule.completed event carries the decay counts.
func TestDecayReportMatchesTheFarm(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob", "cat"}}}})
	e := setup(t, world)
	e.start()
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l := e.list(t, a, "crm", "ann@shop.test", "bob@shop.test", "cat@shop.test", "dan@shop.test", "Bob@shop.test")

	r1, err := e.sched.RunNow(ctx, a.ID, l.ID, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.sched.RunNow(ctx, a.ID, l.ID, a.Owner); !errors.Is(err, schedules.ErrRunActive) && err != nil {
		t.Fatalf("a second run while one is queued: %v", err)
	}
	r1 = e.waitRun(t, a, l.ID, r1.ID)
	if r1.Status != schedules.RunCompleted || r1.Changed != 0 || r1.Checked != 4 || len(r1.Transitions) != 0 {
		t.Fatalf("first run: %+v, want 4 checked and nothing changed", r1)
	}

	// bob and cat leave, dan arrives.
	if err := world.SetMailboxes("shop.test", []string{"ann", "dan"}); err != nil {
		t.Fatal(err)
	}
	r2, err := e.sched.RunNow(ctx, a.ID, l.ID, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	r2 = e.waitRun(t, a, l.ID, r2.ID)
	want := []schedules.Transition{{From: "deliverable", To: "undeliverable", Count: 2}, {From: "undeliverable", To: "deliverable", Count: 1}}
	if r2.Status != schedules.RunCompleted || r2.Changed != 3 || !reflect.DeepEqual(r2.Transitions, want) {
		t.Fatalf("second run: %+v, want transitions %+v", r2, want)
	}
	if r2.Counts != (schedules.Counts{Deliverable: 2, Undeliverable: 2}) {
		t.Fatalf("second run's counts %+v", r2.Counts)
	}
	var csv bytes.Buffer
	if err := e.sched.ChangesCSV(ctx, a.ID, l.ID, r2.ID, a.Owner, &csv); err != nil {
		t.Fatal(err)
	}
	wantCSV := "row,email,previous_status,status,reason\n" +
		"2,bob@shop.test,deliverable,undeliverable,rejected_email\n" +
		"3,cat@shop.test,deliverable,undeliverable,rejected_email\n" +
		"4,dan@shop.test,undeliverable,deliverable,accepted_email\n"
	if csv.String() != wantCSV {
		t.Fatalf("changes CSV:\n%s\nwant:\n%s", csv.String(), wantCSV)
	}
	page, err := e.sched.Changes(ctx, a.ID, l.ID, r2.ID, "undeliverable", "", 1, a.Owner)
	if err != nil || len(page.Changes) != 1 || page.Changes[0].Email != "bob@shop.test" || page.Next == "" {
		t.Fatalf("first page of changes to undeliverable: %+v %v", page, err)
	}
	page, err = e.sched.Changes(ctx, a.ID, l.ID, r2.ID, "undeliverable", page.Next, 1, a.Owner)
	if err != nil || len(page.Changes) != 1 || page.Changes[0].Email != "cat@shop.test" || page.Next != "" {
		t.Fatalf("second page of changes to undeliverable: %+v %v", page, err)
	}
	got, err := e.lists.Get(ctx, a.ID, l.ID, a.Owner)
	if err != nil || got.Deliverable != 2 || got.Undeliverable != 2 {
		t.Fatalf("list after the run: %+v %v", got, err)
	}
	events, err := e.hooks.Events(ctx, a.ID, webhooks.EventFilter{Type: webhooks.ScheduleCompleted}, a.Owner)
	if err != nil || len(events.Events) != 2 {
		t.Fatalf("%d schedule.completed events (%v), want 2", len(events.Events), err)
	}
	data := string(events.Events[0].Data)
	for _, s := range []string{`"run_id":"` + r2.ID.String() + `"`, `"changed":3`, `{"from":"deliverable","to":"undeliverable","count":2}`, `"deliverable_share":0.5`} {
		if !strings.Contains(data, s) {
			t.Fatalf("event data %s lacks %s", data, s)
		}
	}
	// Each run's verifications are in the usage rollups, like the upload's.
	if n := e.count(t, `SELECT coalesce(sum(deliverable + undeliverable + risky + unknown), 0) FROM usage_daily WHERE tenant_id = ?`, a.ID); n != 12 {
		t.Fatalf("usage rollups count %d verifications, want 4 for the upload and 4 for each run", n)
	}
	// A year of runs keeps the list's rows once: only the changes are new.
	if n := e.count(t, `SELECT count(*) FROM list_run_changes`); n != 3 {
		t.Fatalf("%d change rows stored, want 3", n)
	}
}

// A run that does not fit the month's quota is refused up front: it is
// recorded failed with the numbers, charges nothing, records
// schedule.failed and mails the owners and admins (not the members).
func TestRunOverQuotaFailsWithNoticeAndChargesNothing(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob"}}}})
	e := setup(t, world)
	e.start()
	a := e.workspace(t, "alpha")
	admin := e.member(t, a, "ada", actor.RoleAdmin)
	e.member(t, a, "mel", actor.RoleMember)
	ctx := context.Background()
	l := e.list(t, a, "crm", "ann@shop.test", "bob@shop.test", "cat@shop.test", "dan@shop.test")
	// Use the free plan's month (1,000) up to 2 left.
	if err := e.d.Tx(ctx, db.Tenant(a.ID), func(ctx context.Context, tx db.Tx) error {
		_, err := e.billing.ConsumeList(ctx, tx, a.ID, uuid.Nil, billing.KeyLimits{}, 994)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	before, _ := e.billing.Usage(ctx, a.ID)
	run, err := e.sched.RunNow(ctx, a.ID, l.ID, admin)
	if err != nil {
		t.Fatal(err)
	}
	run = e.waitRun(t, a, l.ID, run.ID)
	if run.Status != schedules.RunFailed || run.FailureCode == nil || *run.FailureCode != schedules.FailQuota ||
		!strings.Contains(*run.FailureReason, "needs 4, 2 left this month (limit 1,000)") || run.Charged != 0 || run.Checked != 0 {
		t.Fatalf("run over quota: %+v", run)
	}
	if after, _ := e.billing.Usage(ctx, a.ID); after.MonthUsed != before.MonthUsed {
		t.Fatalf("month used went from %d to %d", before.MonthUsed, after.MonthUsed)
	}
	events, err := e.hooks.Events(ctx, a.ID, webhooks.EventFilter{Type: webhooks.ScheduleFailed}, a.Owner)
	if err != nil || len(events.Events) != 1 || !strings.Contains(string(events.Events[0].Data), `"failure_code":"quota_exceeded"`) {
		t.Fatalf("schedule.failed events: %+v %v", events, err)
	}
	mailTo := func(to string) int {
		return e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND args->>'to' = ? AND args->>'subject' LIKE '%crm%failed'`, to)
	}
	if mailTo(a.Owner.Email) != 1 || mailTo(admin.Email) != 1 || mailTo("mel@member.test") != 0 {
		t.Fatalf("failure mails: owner %d, admin %d, member %d", mailTo(a.Owner.Email), mailTo(admin.Email), mailTo("mel@member.test"))
	}
}

// A queued run cancelled before any worker takes it is cancelled with its
// notice and charges nothing; a second cancel is refused, and a worker
// that comes later leaves it cancelled.
func TestCancelledRunIsAFailureNotice(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann"}}}})
	e := setup(t, world)
	stop := e.start()
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l := e.list(t, a, "crm", "ann@shop.test", "bob@shop.test")
	stop()
	run, err := e.sched.RunNow(ctx, a.ID, l.ID, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	run, err = e.sched.Cancel(ctx, a.ID, l.ID, run.ID, a.Owner)
	if err != nil || run.Status != schedules.RunCancelled {
		t.Fatalf("cancel: %+v %v", run, err)
	}
	if _, err := e.sched.Cancel(ctx, a.ID, l.ID, run.ID, a.Owner); !errors.Is(err, schedules.ErrRunFinished) {
		t.Fatalf("second cancel: %v", err)
	}
	e.start()
	eventually(t, "the run's job done", func() bool {
		return e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'schedules.run' AND state = 'completed'`) == 1
	})
	if got := e.waitRun(t, a, l.ID, run.ID); got.Status != schedules.RunCancelled || got.Checked != 0 {
		t.Fatalf("after a worker took its job: %+v", got)
	}
	if q, _ := e.billing.Usage(ctx, a.ID); q.MonthUsed != 2 {
		t.Fatalf("month used %d after a cancelled run, want the upload's 2", q.MonthUsed)
	}
	events, err := e.hooks.Events(ctx, a.ID, webhooks.EventFilter{Type: webhooks.ScheduleFailed}, a.Owner)
	if err != nil || len(events.Events) != 1 || !strings.Contains(string(events.Events[0].Data), `"status":"cancelled"`) {
		t.Fatalf("schedule.failed events: %+v %v", events, err)
	}
}

// With the mail servers out of reach, a run learns nothing definite: it
// fails as engine_unavailable with its notice, and every address keeps
// its previous verdict (nothing is reported as decay).
func TestRunWithTheMailServersDownFails(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob"}}}})
	e := setup(t, world)
	e.start()
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l := e.list(t, a, "crm", "ann@shop.test", "bob@shop.test", "cat@shop.test")
	if err := world.Close(); err != nil {
		t.Fatal(err)
	}
	run, err := e.sched.RunNow(ctx, a.ID, l.ID, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	run = e.waitRun(t, a, l.ID, run.ID)
	if run.Status != schedules.RunFailed || run.FailureCode == nil || *run.FailureCode != schedules.FailEngine || run.Changed != 0 || run.Unconfirmed != 3 {
		t.Fatalf("run with the servers down: %+v", run)
	}
	got, err := e.lists.Get(ctx, a.ID, l.ID, a.Owner)
	if err != nil || got.Deliverable != 2 || got.Undeliverable != 1 {
		t.Fatalf("the list's verdicts moved: %+v %v", got, err)
	}
	events, err := e.hooks.Events(ctx, a.ID, webhooks.EventFilter{Type: webhooks.ScheduleFailed}, a.Owner)
	if err != nil || len(events.Events) != 1 || !strings.Contains(string(events.Events[0].Data), `"failure_code":"engine_unavailable"`) {
		t.Fatalf("schedule.failed events: %+v %v", events, err)
	}
	if n := e.count(t, `SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND args->>'to' = ?`, a.Owner.Email); n != 1 {
		t.Fatalf("%d failure mails to the owner, want 1", n)
	}
}

// An address the engine cannot answer within a job's time (its server
// never replies to RCPT) does not hold a run back for ever: each job run
// writes what was answered, counts the first unanswered address
// unconfirmed and goes on, so the run finishes, here failed as mostly
// unconfirmed, with the answered address's change recorded.
func TestRunGetsPastAddressesTheEngineCannotAnswer(t *testing.T) {
	silent := mailsim.Host{Hostile: mailsim.Hostile{Mode: mailsim.HostileSilent, At: "RCPT"}}
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "shop.test", Mailboxes: []string{"ann"}},
		{Name: "silent.test", Mailboxes: []string{"ann", "bob"}, Server: silent},
	}})
	e := setup(t, world)
	e.start(3 * time.Second)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	// The upload answers silent.test by a rule; the run, without it, asks
	// its server.
	rule, err := e.rules.Create(ctx, a.ID, rules.NewRule{Kind: rules.KindDomain, Pattern: "silent.test", Action: rules.Allow}, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	l := e.list(t, a, "crm", "ann@silent.test", "bob@silent.test", "ann@shop.test")
	if _, err := e.rules.Delete(ctx, a.ID, rule.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	if err := world.SetMailboxes("shop.test", nil); err != nil {
		t.Fatal(err)
	}
	run, err := e.sched.RunNow(ctx, a.ID, l.ID, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	run = e.waitRun(t, a, l.ID, run.ID)
	if run.Checked != 3 || run.Unconfirmed != 2 || run.Changed != 1 || run.Status != schedules.RunFailed {
		t.Fatalf("run past a silent server: %+v", run)
	}
}
