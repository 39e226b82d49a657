package usage_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/usage"
)

// A's rollups are A's alone: B's reports and totals do not count them, and
// in B's transaction no statement reads, changes, deletes or adds to them,
// whatever its WHERE clause says (row-level security).
func TestUsageIsolation(t *testing.T) {
	d := dbtest.New(t)
	ctx := t.Context()
	store := usage.NewStore(d)
	a, b := newTenant(t, d, "A"), newTenant(t, d, "B")
	today := usage.DateOf(time.Now())
	add(t, d, usage.Delta{TenantID: a, Day: today, Source: usage.SourceAPI, Counts: usage.Counts{Deliverable: 5, Billable: 5}})

	rep, err := store.Report(ctx, b, usage.LastDays(7, usage.Day, time.Now()))
	if err != nil || rep.Totals != (usage.Counts{}) || len(rep.ByKey) != 0 {
		t.Fatalf("B's report shows %+v, %v", rep, err)
	}
	if c, err := store.Totals(ctx, b, today, today); err != nil || c != (usage.Counts{}) {
		t.Fatalf("B's totals %+v, %v", c, err)
	}
	dbtest.RequireHidden(t, d, b, a, "usage_daily")
	// B adding to A's rollups is refused by the database.
	err = d.Tx(ctx, db.Tenant(b), func(ctx context.Context, tx db.Tx) error {
		return usage.Add(ctx, tx, usage.Delta{TenantID: a, Day: today, Source: usage.SourceAPI, Counts: usage.Counts{Deliverable: 1}})
	})
	if err == nil || !strings.Contains(err.Error(), "row-level security") {
		t.Fatalf("B adds to A's usage: %v", err)
	}
	if c, err := store.Totals(ctx, a, today, today); err != nil || c != (usage.Counts{Deliverable: 5, Billable: 5}) {
		t.Fatalf("A's totals after B's attempts %+v, %v", c, err)
	}
	// Without a tenant there is no transaction at all.
	if _, err := store.Totals(ctx, uuid.Nil, today, today); err == nil {
		t.Fatal("totals without a tenant")
	}
}
