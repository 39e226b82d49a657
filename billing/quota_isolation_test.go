package billing_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/db/dbtest"
)

// keyUsed reads a key's day counter across tenants.
func keyUsed(t *testing.T, d *db.DB, key uuid.UUID) int {
	t.Helper()
	var n int
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT coalesce((SELECT day_used FROM key_usage WHERE api_key_id = ?), 0)`, key).Scan(&n)
	})
	return n
}

// A key's counter is moved only by its own tenant: the counting statement
// matches the row by tenant as well as by key, so even on a connection
// that row-level security does not bind (the owner's), B naming A's key
// moves nothing of A's.
func TestKeyCounterIsMovedOnlyByItsTenant(t *testing.T) {
	five := 5
	lim := billing.KeyLimits{Daily: &five}
	for name, d := range map[string]*db.DB{"service role": dbtest.New(t), "owner, no row-level security": dbtest.NewOwner(t)} {
		svc := billing.NewService(d, nil, 0, func(p string) string { return p })
		a, b := newTenant(t, d), newTenant(t, d)
		keyA := newKey(t, d, a)
		if _, err := consume(t, d, svc, a, keyA, lim, 2); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := consume(t, d, svc, b, keyA, lim, 1); err == nil {
			t.Errorf("%s: B counted against A's key", name)
		}
		if got := keyUsed(t, d, keyA); got != 2 {
			t.Errorf("%s: A's key counter is %d after B's attempt, want 2", name, got)
		}
		// B's refused call counted nothing against B either.
		if q, err := svc.Usage(context.Background(), b); err != nil || q.DayUsed != 0 {
			t.Errorf("%s: B's usage %+v, %v", name, q, err)
		}
	}
}

// Fits says whether a call would fit, counting nothing.
func TestFitsChecksWithoutCounting(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	tenant := newTenant(t, d)
	key := newKey(t, d, tenant)
	two := 2
	lim := billing.KeyLimits{Daily: &two}
	if err := svc.Fits(ctx, tenant, key, lim, 2); err != nil {
		t.Fatal(err)
	}
	var ex *billing.ExceededError
	if err := svc.Fits(ctx, tenant, key, lim, 3); !errors.As(err, &ex) || ex.Scope != "key daily" || ex.Left != 2 {
		t.Fatalf("3 on a key limited to 2: %v", err)
	}
	if err := svc.Fits(ctx, tenant, uuid.Nil, billing.KeyLimits{}, 201); !errors.As(err, &ex) || ex.Scope != "daily" || ex.Left != 200 {
		t.Fatalf("201 on the free plan: %v", err)
	}
	if _, err := consume(t, d, svc, tenant, key, lim, 2); err != nil {
		t.Fatal(err)
	}
	if err := svc.Fits(ctx, tenant, key, lim, 1); !errors.Is(err, billing.ErrQuotaExceeded) {
		t.Fatalf("after the key's 2: %v", err)
	}
	if err := svc.Fits(ctx, tenant, uuid.Nil, billing.KeyLimits{}, 198); err != nil {
		t.Fatalf("the tenant has 198 left: %v", err)
	}
	if q, _ := svc.Usage(ctx, tenant); q.DayUsed != 2 {
		t.Fatalf("Fits counted: %d used", q.DayUsed)
	}
}

// A's counters, subscription, invoices and usage reports are A's alone:
// B's reads show none of them, and in B's transaction no statement reads,
// changes or deletes them, whatever its WHERE clause says.
func TestBillingRowsAreGuardedByTheDatabase(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	a, b := newTenant(t, d), newTenant(t, d)
	keyA := newKey(t, d, a)
	three := 3
	if _, err := consume(t, d, svc, a, keyA, billing.KeyLimits{Daily: &three}, 1); err != nil {
		t.Fatal(err)
	}
	exec(t, d, `INSERT INTO subscriptions (tenant_id, plan_id, status, stripe_customer_id) VALUES (?, 'basic', 'active', 'cus_iso')`, a)
	exec(t, d, `INSERT INTO invoices (stripe_invoice_id, tenant_id, stripe_customer_id, status, created, event_at) VALUES ('in_iso', ?, 'cus_iso', 'paid', now(), now())`, a)
	exec(t, d, `INSERT INTO usage_reports (tenant_id, period, subscription_item_id, quantity) VALUES (?, date_trunc('month', now())::date, 'si_iso', 7)`, a)

	if q, err := svc.Usage(ctx, b); err != nil || q.DayUsed != 0 || q.Plan != "free" {
		t.Errorf("B's usage %+v, %v", q, err)
	}
	if acct, err := svc.Account(ctx, b); err != nil || acct.Subscription != nil || len(acct.Invoices) != 0 || acct.Plan.ID != "free" {
		t.Errorf("B's account %+v, %v", acct, err)
	}
	tables := []string{"quota_usage", "key_usage", "subscriptions", "invoices", "usage_reports"}
	dbtest.RequireHidden(t, d, b, a, tables...)
	// A's rows are all still there.
	for _, table := range tables {
		var n int
		seed(t, d, func(ctx context.Context, tx db.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE tenant_id = ?", a).Scan(&n)
		})
		if n != 1 {
			t.Errorf("A has %d rows of %s, want 1", n, table)
		}
	}
	svc.ForgetPlan(a)
	if acct, err := svc.Account(ctx, a); err != nil || acct.Subscription == nil || len(acct.Invoices) != 1 || acct.Usage.DayUsed != 1 {
		t.Errorf("A's account %+v, %v", acct, err)
	}
	if q, ok, err := svc.ReportedUsage(ctx, b, firstOfMonth()); err != nil || ok || q != 0 {
		t.Errorf("B reads A's reported usage: %d %v %v", q, ok, err)
	}
}
