package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/views"
)

// TestEveryPlanTakesItsLargestList derives from each seeded plan the
// largest list it allows (max_list_rows) and proves that a tenant on that
// plan, with nothing used this month, can upload it and that it completes
// on the same day: lists count against the month, not the day
// (billing.ConsumeList), and the plans table keeps every plan's largest
// list within its month. One row more is refused, naming the limit.
func TestEveryPlanTakesItsLargestList(t *testing.T) {
	h := newHarness(t)
	plans, err := h.bill.Plans(t.Context())
	if err != nil || len(plans) < 3 {
		t.Fatalf("plans %v, %v", plans, err)
	}
	for i, plan := range plans {
		t.Run(plan.ID, func(t *testing.T) {
			n := plan.MaxListRows
			if n > plan.MonthlyLimit {
				t.Fatalf("plan %s sells %d-row lists but allows %d verifications a month", plan.ID, n, plan.MonthlyLimit)
			}
			slug := fmt.Sprintf("plan%d", i)
			owner := h.signUp(slug, "owner@"+slug+".test")
			subscribe(t, h, slug, plan.ID)
			key := newKey(t, owner, "live")
			api := h.browser()
			api.client.Timeout = listTimeout(n) // a million-row upload takes a while under the race detector

			// The upload form names the plan's limit.
			expect(t, owner.get("/lists"), http.StatusOK, "Up to 100 MB and "+views.Thousands(n)+" rows on your plan.")

			res := api.upload("/v1/lists", key, "", "too-big.txt", addresses(n+1), nil)
			expectProblem(t, res, http.StatusUnprocessableEntity, "too_many_rows")
			if !strings.Contains(res.body, "more than "+views.Thousands(n)+" rows") {
				t.Fatalf("the refusal does not name the limit %d: %s", n, res.body)
			}

			res = api.upload("/v1/lists", key, "", "largest.txt", addresses(n), nil)
			expect(t, res, http.StatusCreated)
			l := waitListFor(t, api, key, decodeList(t, res).ID, listTimeout(n))
			if l.Status != "completed" || l.Processed != n || l.Counts.Undeliverable != n {
				t.Fatalf("largest %s list: %+v", plan.ID, l)
			}
			if used := countRows(t, h, "SELECT month_used FROM quota_usage q JOIN tenants t ON t.id = q.tenant_id WHERE t.slug = '"+slug+"'"); used != n {
				t.Fatalf("month used %d after a %d-row list", used, n)
			}
			// The day's allowance is left for real-time calls.
			if used := countRows(t, h, "SELECT day_used FROM quota_usage q JOIN tenants t ON t.id = q.tenant_id WHERE t.slug = '"+slug+"'"); used != 0 {
				t.Fatalf("day used %d after a list: lists count against the month only", used)
			}
		})
	}
}

// subscribe puts a tenant on a plan.
func subscribe(t *testing.T, h *harness, slug, planID string) {
	t.Helper()
	if _, err := h.sys.Exec(t.Context(), `INSERT INTO subscriptions (tenant_id, plan_id, status) SELECT id, $2, 'active' FROM tenants WHERE slug = $1`,
		slug, planID); err != nil {
		t.Fatal(err)
	}
	var id uuid.UUID
	if err := h.sys.QueryRow(t.Context(), `SELECT id FROM tenants WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	h.bill.ForgetPlan(id)
}

// addresses is a plain-text list of n distinct addresses the world's
// shop.test rejects, one per line.
func addresses(n int) string {
	var b strings.Builder
	b.Grow(n * 22)
	for i := range n {
		fmt.Fprintf(&b, "u%07d@shop.test\n", i)
	}
	return b.String()
}

// listTimeout is how long a list of n rows may take here: generous, as the
// race detector and a busy machine slow the workers many times over; the
// list's speed is measured by the benchmarks, not here.
func listTimeout(n int) time.Duration { return time.Minute + time.Duration(n)*time.Millisecond }

