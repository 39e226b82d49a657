package verifications_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/verify"
)

// faultyEngine answers like the real engine would for a NUL in the
// address (invalid syntax, the address kept as given), and with a status
// the database refuses for bad@…: both make the record fail.
type faultyEngine struct{ countingEngine }

func (e *faultyEngine) Verify(ctx context.Context, email string) verify.Result {
	r := e.countingEngine.Verify(ctx, email)
	switch {
	case strings.ContainsRune(email, 0):
		r.Normalized, r.Status, r.Reason = "", verify.Undeliverable, verify.ReasonInvalidSyntax
	case strings.HasPrefix(email, "bad@"):
		r.Status = "bogus"
	}
	return r
}

// A live verification whose record fails charges nothing and caches
// nothing: counting, recording and caching are one transaction, and the
// month counter always equals the usage rollup's billable count.
func TestAFailedRecordChargesNothing(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	key := newKey(t, d, tenant, "live")
	quota := billing.NewService(d, nil, 0, func(p string) string { return p })
	svc := verifications.NewService(d, &faultyEngine{}, nil, time.Second).WithQuota(quota)
	req := func(email string) verifications.Request {
		return verifications.Request{TenantID: tenant, APIKeyID: key, Email: email, CacheTTL: time.Hour}
	}
	for _, email := range []string{"jo\x00e@shop.test", "bad@shop.test"} {
		if _, q, err := svc.Verify(ctx, req(email)); err == nil || q != nil {
			t.Fatalf("%q: quota %+v, err %v; want an error and no charge", email, q, err)
		}
	}
	agree := func(want int) {
		t.Helper()
		q, err := quota.Usage(ctx, tenant)
		if err != nil {
			t.Fatal(err)
		}
		today := usage.DateOf(time.Now())
		u, err := usage.NewStore(d).Totals(ctx, tenant, today, today)
		if err != nil {
			t.Fatal(err)
		}
		if q.MonthUsed != want || u.Billable != want {
			t.Fatalf("month counter %d, rollup billable %d; want both %d", q.MonthUsed, u.Billable, want)
		}
	}
	agree(0)
	for _, table := range []string{"verifications", "verification_cache"} {
		if n := count(t, d, "SELECT count(*) FROM "+table); n != 0 {
			t.Fatalf("%d rows in %s after failed records", n, table)
		}
	}
	r, q, err := svc.Verify(ctx, req("ann@shop.test"))
	if err != nil || q == nil || q.MonthUsed != 1 || r.Cached {
		t.Fatalf("good address: %+v %+v %v", r, q, err)
	}
	agree(1)
	// A cache hit is free, and the two still agree.
	if r, q, err := svc.Verify(ctx, req("ann@shop.test")); err != nil || !r.Cached || q != nil {
		t.Fatalf("cache hit: %+v %+v %v", r, q, err)
	}
	agree(1)
}

// A request over its quota is refused before the engine does any work.
func TestOverQuotaAsksNothing(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	key := newKey(t, d, tenant, "live")
	eng := &countingEngine{}
	svc := verifications.NewService(d, eng, nil, time.Second).WithQuota(billing.NewService(d, nil, 0, func(p string) string { return p }))
	one := 1
	req := verifications.Request{TenantID: tenant, APIKeyID: key, Email: "ann@shop.test", KeyLimits: billing.KeyLimits{Daily: &one}}
	if _, _, err := svc.Verify(ctx, req); err != nil {
		t.Fatal(err)
	}
	req.Email = "bob@shop.test"
	_, q, err := svc.Verify(ctx, req)
	var ex *billing.ExceededError
	if !errors.As(err, &ex) || ex.Scope != "key daily" || q != nil {
		t.Fatalf("second call on a key limited to 1: %+v %v", q, err)
	}
	if eng.count() != 1 {
		t.Fatalf("the engine was asked %d times, want 1", eng.count())
	}
	if n := count(t, d, "SELECT count(*) FROM verifications"); n != 1 {
		t.Fatalf("%d verifications recorded", n)
	}
}

// Addresses longer than the record keeps are cut on a character boundary:
// a byte cut through an ä would be invalid UTF-8, which PostgreSQL
// refuses.
func TestLongAddressesAreCutOnACharacterBoundary(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	tenant := newTenant(t, d)
	svc := verifications.NewService(d, &countingEngine{}, nil, time.Second)
	email := "a" + strings.Repeat("ä", 600) + "@shop.test"
	if _, _, err := svc.Verify(ctx, verifications.Request{TenantID: tenant, Email: email}); err != nil {
		t.Fatal(err)
	}
	var stored, normalized string
	seed(t, d, func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT email, normalized FROM verifications WHERE tenant_id = ?", tenant).Scan(&stored, &normalized)
	})
	for _, s := range []string{stored, normalized} {
		if !utf8.ValidString(s) || len(s) > 512 || len(s) < 510 || !strings.HasPrefix(email, s) {
			t.Fatalf("stored %d bytes (valid UTF-8: %v)", len(s), utf8.ValidString(s))
		}
	}
}

// Tenant B neither reads, lists, changes nor deletes A's verifications
// and cache entries: not through the service, and not with a statement
// that names no tenant (row-level security).
func TestVerificationIsolation(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	a, b := newTenant(t, d), newTenant(t, d)
	eng := &countingEngine{}
	svc := verifications.NewService(d, eng, nil, time.Second)
	if _, _, err := svc.Verify(ctx, verifications.Request{TenantID: a, Email: "ann@shop.test", CacheTTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if st, err := svc.StatsSince(ctx, b, time.Now().Add(-time.Hour)); err != nil || st != (verifications.Stats{}) {
		t.Fatalf("B's stats %+v %v", st, err)
	}
	if got, err := svc.CachedMany(ctx, b, false, []string{"ann@shop.test"}, time.Hour); err != nil || len(got) != 0 {
		t.Fatalf("B reads A's cache in bulk: %v %v", got, err)
	}
	dbtest.RequireHidden(t, d, b, a, "verifications", "verification_cache")
	// B cannot plant a verdict in A's cache either.
	err := d.Tx(ctx, db.Tenant(b), func(ctx context.Context, tx db.Tx) error {
		return svc.SaveVerdicts(ctx, tx, a, false, []verify.Result{{Normalized: "bob@shop.test", Status: verify.Deliverable, Reason: verify.ReasonAccepted, CheckedAt: time.Now()}})
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("B saves into A's cache: %v", err)
	}
	if r, _, err := svc.Verify(ctx, verifications.Request{TenantID: a, Email: "ann@shop.test", CacheTTL: time.Hour}); err != nil || !r.Cached || eng.count() != 1 {
		t.Fatalf("A's cache after B's attempts: %+v %v", r, err)
	}
	if st, _ := svc.StatsSince(ctx, a, time.Now().Add(-time.Hour)); st.Total != 2 || st.CachedNow != 1 {
		t.Fatalf("A's stats %+v", st)
	}
	if _, _, err := svc.Verify(ctx, verifications.Request{TenantID: uuid.Nil, Email: "ann@shop.test"}); !errors.Is(err, db.ErrNoTenant) {
		t.Fatalf("a verification without a tenant: %v", err)
	}
}
