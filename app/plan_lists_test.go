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
//
// The addresses are answered by one of the tenant's rules: the list runs
// through the real upload, quota, River batches and result writes, without
// a million SMTP probes of one simulated host (the engine's speed is the
// benchmarks' business). Rule answers are free, so the reservation made at
// upload is given back as the batches write them.
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
			if raceDetector && n > 100_000 {
				t.Skipf("%s rows through the pipeline under the race detector take the best part of an hour; "+
					"`go tool task test` runs this case again without it, right after the suite", views.Thousands(n))
			}
			slug := fmt.Sprintf("plan%d", i)
			owner := h.signUp(slug, "owner@"+slug+".test")
			subscribe(t, h, slug, plan.ID)
			key := newKey(t, owner, "live")
			api := h.browser()
			api.client.Timeout = listTimeout(n) // a million-row upload takes a while
			expect(t, api.apiJSON("POST", "/v1/rules", key, `{"kind":"domain","pattern":"plans.test","action":"allow"}`), http.StatusCreated)
			used := func(column string) int {
				t.Helper()
				return countRows(t, h, "SELECT "+column+" FROM quota_usage q JOIN tenants t ON t.id = q.tenant_id WHERE t.slug = $1", slug)
			}

			// The upload form names the plan's limit.
			expect(t, owner.get("/lists"), http.StatusOK, "Up to 100 MB and "+views.Thousands(n)+" rows on your plan.")

			res := api.upload("/v1/lists", key, "", "too-big.txt", addresses(n+1), nil)
			expectProblem(t, res, http.StatusUnprocessableEntity, "too_many_rows")
			if !strings.Contains(res.body, "more than "+views.Thousands(n)+" rows") {
				t.Fatalf("the refusal does not name the limit %d: %s", n, res.body)
			}

			res = api.upload("/v1/lists", key, "", "largest.txt", addresses(n), nil)
			expect(t, res, http.StatusCreated)
			// Reserved whole against the month; the day is left for
			// real-time calls.
			if month, day := used("month_used"), used("day_used"); month != n || day != 0 {
				t.Fatalf("after the upload: month used %d, day used %d; want %d and 0", month, day, n)
			}
			l := waitListFor(t, api, key, decodeList(t, res).ID, listTimeout(n))
			if l.Status != "completed" || l.Processed != n || l.Counts.Deliverable != n {
				t.Fatalf("largest %s list: %+v", plan.ID, l)
			}
			if month := used("month_used"); month != 0 {
				t.Fatalf("month used %d after a list its rules answered, want 0 (rule answers are free)", month)
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

// addresses is a plain-text list of n distinct addresses on plans.test,
// one per line.
func addresses(n int) string {
	var b strings.Builder
	b.Grow(n * 23)
	for i := range n {
		fmt.Fprintf(&b, "u%07d@plans.test\n", i)
	}
	return b.String()
}

// listTimeout is how long a list of n rows may take here: generous, as the
// race detector and a busy machine slow the workers many times over; the
// list's speed is measured by the benchmarks, not here.
func listTimeout(n int) time.Duration { return time.Minute + time.Duration(n)*time.Millisecond }
