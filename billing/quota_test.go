package billing_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/mail"
)

// seed runs test set-up (or a check across tenants) on the system path;
// statements take bun's ? placeholders there.
func seed(t *testing.T, d *db.DB, fn func(ctx context.Context, tx db.Tx) error) {
	t.Helper()
	if err := d.Tx(context.Background(), db.System("test: seed billing fixtures"), fn); err != nil {
		t.Fatal(err)
	}
}

// exec runs one set-up statement on the system path.
func exec(t *testing.T, d *db.DB, query string, args ...any) {
	t.Helper()
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, query, args...)
		return err
	})
}

func newTenant(t *testing.T, d *db.DB) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "INSERT INTO tenants (name, slug) VALUES ('T', ?) RETURNING id", uuid.NewString()[:8]).Scan(&id)
	})
	return id
}

func newKey(t *testing.T, d *db.DB, tenant uuid.UUID) uuid.UUID {
	t.Helper()
	var key uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_keys (tenant_id, name, mode, prefix, key_hash) VALUES (?, 'k', 'live', ?, ?) RETURNING id`,
			tenant, "mv_live_"+uuid.NewString()[:6], []byte(uuid.NewString())).Scan(&key)
	})
	return key
}

// consume counts n in a transaction of the tenant, as a caller does; an
// error rolls it back.
func consume(t *testing.T, d *db.DB, svc *billing.Service, tenant, key uuid.UUID, lim billing.KeyLimits, n int) (billing.Quota, error) {
	t.Helper()
	var q billing.Quota
	err := d.Tx(context.Background(), db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
		var err error
		q, err = svc.Consume(ctx, tx, tenant, key, lim, n)
		return err
	})
	return q, err
}

// 50 concurrent requests with 10 verifications left: exactly 10 succeed.
func TestQuotaIsExactUnderConcurrency(t *testing.T) {
	d := dbtest.New(t)
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	tenant := newTenant(t, d)
	if _, err := consume(t, d, svc, tenant, uuid.Nil, billing.KeyLimits{}, 190); err != nil { // free: 200 a day
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := consume(t, d, svc, tenant, uuid.Nil, billing.KeyLimits{}, 1)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, billing.ErrQuotaExceeded):
				refused++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 10 || refused != 40 {
		t.Fatalf("%d succeeded, %d refused; want 10 and 40", ok, refused)
	}
	q, err := svc.Usage(context.Background(), tenant)
	if err != nil || q.DayUsed != 200 || q.DayRemaining != 0 {
		t.Fatalf("usage %+v %v", q, err)
	}
}

func TestExceededSaysTheNumbersAndRefundGivesBack(t *testing.T) {
	d := dbtest.New(t)
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	tenant := newTenant(t, d)
	if _, err := consume(t, d, svc, tenant, uuid.Nil, billing.KeyLimits{}, 150); err != nil {
		t.Fatal(err)
	}
	_, err := consume(t, d, svc, tenant, uuid.Nil, billing.KeyLimits{}, 120)
	var ex *billing.ExceededError
	if !errors.As(err, &ex) || ex.Needed != 120 || ex.Left != 50 || !strings.Contains(err.Error(), "needs 120, 50 left today") {
		t.Fatalf("%v", err)
	}
	if err := d.Tx(context.Background(), db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
		return svc.Refund(ctx, tx, tenant, 100)
	}); err != nil {
		t.Fatal(err)
	}
	// A refund gives back a list's units, which count against the month
	// only (ConsumeList).
	if q, _ := svc.Usage(context.Background(), tenant); q.DayUsed != 150 || q.MonthUsed != 50 {
		t.Fatalf("after refund %+v", q)
	}
}

// Lists count against the month, not the day: a list bigger than the
// day's allowance is taken whole while the month has room, and leaves the
// day for real-time calls; one bigger than the month's room is refused
// with the month's numbers.
func TestListsCountAgainstTheMonth(t *testing.T) {
	d := dbtest.New(t)
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	tenant := newTenant(t, d) // free: 200 a day, 1,000 a month
	list := func(n int) (billing.Quota, error) {
		var q billing.Quota
		err := d.Tx(t.Context(), db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
			var err error
			q, err = svc.ConsumeList(ctx, tx, tenant, uuid.Nil, billing.KeyLimits{}, n)
			return err
		})
		return q, err
	}
	q, err := list(900)
	if err != nil || q.DayUsed != 0 || q.MonthUsed != 900 {
		t.Fatalf("a 900-address list on a 200-a-day plan: %+v %v", q, err)
	}
	if _, err := consume(t, d, svc, tenant, uuid.Nil, billing.KeyLimits{}, 100); err != nil {
		t.Fatalf("real-time calls after the list: %v", err)
	}
	_, err = list(1)
	var ex *billing.ExceededError
	if !errors.As(err, &ex) || ex.Scope != "monthly" || !strings.Contains(err.Error(), "needs 1, 0 left this month (limit 1,000)") {
		t.Fatalf("a list past the month: %v", err)
	}
	// A key's own monthly limit holds for lists; its daily one paces
	// real-time calls only.
	daily, monthly := 10, 500
	other := newTenant(t, d)
	key := newKey(t, d, other)
	err = d.Tx(t.Context(), db.Tenant(other), func(ctx context.Context, tx db.Tx) error {
		if _, err := svc.ConsumeList(ctx, tx, other, key, billing.KeyLimits{Daily: &daily, Monthly: &monthly}, 400); err != nil {
			return err
		}
		_, err := svc.ConsumeList(ctx, tx, other, key, billing.KeyLimits{Daily: &daily, Monthly: &monthly}, 101)
		return err
	})
	if !errors.As(err, &ex) || ex.Scope != "key monthly" || ex.Left != 100 {
		t.Fatalf("a key's monthly limit: %v", err)
	}
}

func TestKeyLimitsAreLowerThanThePlan(t *testing.T) {
	d := dbtest.New(t)
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	tenant := newTenant(t, d)
	key := newKey(t, d, tenant)
	three := 3
	for i := range 4 {
		_, err := consume(t, d, svc, tenant, key, billing.KeyLimits{Daily: &three}, 1)
		if (err == nil) != (i < 3) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	// The refused call counted nothing against the tenant either.
	if q, _ := svc.Usage(context.Background(), tenant); q.DayUsed != 3 {
		t.Fatalf("tenant used %d, want 3", q.DayUsed)
	}
}

func TestPlanFollowsSubscriptionAndGrace(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	tenant, other := newTenant(t, d), newTenant(t, d)
	if p, _ := svc.PlanFor(ctx, tenant); p.ID != "free" {
		t.Fatalf("plan %s", p.ID)
	}
	exec(t, d, `INSERT INTO subscriptions (tenant_id, plan_id, status) VALUES (?, 'basic', 'active')`, tenant)
	if p, _ := svc.PlanFor(ctx, tenant); p.ID != "free" {
		t.Fatal("the plan is remembered for a few seconds; it changed at once")
	}
	svc.ForgetPlan(tenant) // as the webhook handler does
	if p, _ := svc.PlanFor(ctx, tenant); p.ID != "basic" || p.MonthlyIncluded != 50000 {
		t.Fatalf("plan %+v", p)
	}
	if p, _ := svc.PlanFor(ctx, other); p.ID != "free" {
		t.Fatal("another tenant got the subscription's plan")
	}
	exec(t, d, `UPDATE subscriptions SET status = 'past_due', past_due_since = now() - interval '1 day'`)
	svc.ForgetPlan(tenant)
	if p, _ := svc.PlanFor(ctx, tenant); p.ID != "basic" {
		t.Fatal("past due within grace lost the plan")
	}
	exec(t, d, `UPDATE subscriptions SET past_due_since = now() - interval '8 days'`)
	svc.ForgetPlan(tenant)
	if p, _ := svc.PlanFor(ctx, tenant); p.ID != "free" {
		t.Fatal("past due beyond grace kept the plan")
	}
}

// Owners are mailed once at 80% and once at 100% of the monthly amount.
func TestThresholdMailsOncePerMonth(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	svc := billing.NewService(d, mail.NewQueue(inserter), 0, func(p string) string { return "https://app.test" + p })
	tenant := newTenant(t, d)
	var user uuid.UUID
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, password_hash) VALUES ('owner@t.test', 'x') RETURNING id`).Scan(&user); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (tenant_id, user_id, role) VALUES (?, ?, 'owner')`, tenant, user)
		return err
	})
	// Earlier (yesterday, which on the 1st is last month's last day: the day
	// counter simply starts again) the free plan's tenant had used 799 of
	// the 1,000 of this month. A seeding error fails the test.
	exec(t, d, `INSERT INTO quota_usage (tenant_id, day, day_used, month, month_used)
		VALUES (?, date_trunc('day', now() AT TIME ZONE 'UTC') - interval '1 day', 50, date_trunc('month', now() AT TIME ZONE 'UTC'), 799)`, tenant)
	mails := func() int {
		var n int
		_ = d.Pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE kind = 'mail.send' AND args->>'to' = 'owner@t.test'`).Scan(&n)
		return n
	}
	for range 3 {
		if _, err := consume(t, d, svc, tenant, uuid.Nil, billing.KeyLimits{}, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := mails(); n != 1 {
		t.Fatalf("%d mails after crossing 80%%, want 1", n)
	}
	exec(t, d, `UPDATE quota_usage SET month_used = 999`)
	if _, err := consume(t, d, svc, tenant, uuid.Nil, billing.KeyLimits{}, 1); err != nil {
		t.Fatal(err)
	}
	if n := mails(); n != 2 {
		t.Fatalf("%d mails after reaching 100%%, want 2", n)
	}
	var subject string
	_ = d.Pool.QueryRow(ctx, `SELECT args->>'subject' FROM river_job WHERE kind = 'mail.send' ORDER BY id DESC LIMIT 1`).Scan(&subject)
	if !strings.Contains(subject, "100%") {
		t.Fatalf("subject %q", subject)
	}
}

// The refusal reads as the issue words it, with thousands separators.
func TestExceededErrorReadsWithTheNumbers(t *testing.T) {
	err := &billing.ExceededError{Scope: "monthly", Needed: 12000, Left: 3000, Limit: 100000}
	if got, want := err.Error(), "needs 12,000, 3,000 left this month (limit 100,000)"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
}
