package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/usage"
)

type usageCounts struct {
	Deliverable, Undeliverable, Risky, Unknown, Total int
	CacheHits                                         int `json:"cache_hits"`
	Billable                                          int
}

type usageReport struct {
	From, To, Granularity string
	Series                []struct {
		Period string
		usageCounts
	}
	Totals struct {
		usageCounts
		SuccessRate  float64 `json:"success_rate"`
		CacheHitRate float64 `json:"cache_hit_rate"`
	}
	BySource map[string]usageCounts `json:"by_source"`
	ByKey    []struct {
		KeyID        *string `json:"key_id"`
		Name, Prefix string
		usageCounts
	} `json:"by_key"`
	Quota *struct {
		Plan      string
		MonthUsed int `json:"month_used"`
	}
}

func getUsage(t *testing.T, b *browser, key, query string) usageReport {
	t.Helper()
	res := b.api("GET", "/v1/usage"+query, key)
	expect(t, res, http.StatusOK)
	var u usageReport
	if err := json.Unmarshal([]byte(res.body), &u); err != nil {
		t.Fatalf("%v: %s", err, res.body)
	}
	return u
}

// Single verifications and a finished list are in the rollups: the API and
// the page report them by status, source and key, with what was billable.
func TestUsageAfterVerificationsAndAList(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	live, test := newKey(t, owner, "live"), newKey(t, owner, "test")
	api := h.browser()
	for _, email := range []string{"ann@shop.test", "ann@shop.test", "nobody@shop.test", "x@catchall.test"} {
		decodeVerification(t, api.apiJSON("POST", "/v1/verify", live, `{"email":"`+email+`"}`))
	}
	decodeVerification(t, api.apiJSON("POST", "/v1/verify", test, `{"email":"undeliverable@shop.test"}`))

	u := getUsage(t, api, live, "")
	today := time.Now().UTC().Format(time.DateOnly)
	want := usageCounts{Deliverable: 2, Undeliverable: 2, Risky: 1, Total: 5, CacheHits: 1, Billable: 3}
	if u.Totals.usageCounts != want || u.Totals.SuccessRate != 0.4 || u.Totals.CacheHitRate != 0.2 {
		t.Fatalf("totals %+v, want %+v", u.Totals, want)
	}
	if u.To != today || u.Granularity != "day" || len(u.Series) != 30 || u.Series[29].Period != today || u.Series[29].usageCounts != want {
		t.Fatalf("series %s–%s %s: %d periods, last %+v", u.From, u.To, u.Granularity, len(u.Series), u.Series[len(u.Series)-1])
	}
	if len(u.ByKey) != 2 || u.ByKey[0].Name != "live key" || u.ByKey[0].Total != 4 || u.ByKey[0].Billable != 3 ||
		!strings.HasPrefix(live, u.ByKey[0].Prefix) || u.ByKey[1].Name != "test key" || u.ByKey[1].Billable != 0 {
		t.Fatalf("by key %+v", u.ByKey)
	}
	if u.Quota == nil || u.Quota.Plan != "free" || u.Quota.MonthUsed != 3 {
		t.Fatalf("quota %+v", u.Quota)
	}

	// A list: ann, nobody and the catch-all address come from the cache;
	// bob and the greylisted ann are asked (the latter twice, counted
	// once); bad@@x is undeliverable without asking, and free.
	res := api.upload("/v1/lists", live, "", "contacts.csv", sampleCSV, nil)
	expect(t, res, http.StatusCreated)
	l := waitList(t, api, live, decodeList(t, res).ID)
	if l.Status != "completed" || l.Processed != 6 {
		t.Fatalf("list %+v", l)
	}
	u = getUsage(t, api, live, "?from="+today+"&to="+today)
	wantList := usageCounts{Deliverable: l.Counts.Deliverable, Undeliverable: l.Counts.Undeliverable, Risky: l.Counts.Risky,
		Unknown: l.Counts.Unknown, Total: 6, CacheHits: 3, Billable: 2}
	if got := u.BySource["list"]; got != wantList {
		t.Fatalf("list usage %+v, want %+v", got, wantList)
	}
	if u.BySource["api"].Total != 5 || u.Totals.Total != 11 || len(u.Series) != 1 || u.Series[0].Total != 11 || u.ByKey[0].Total != 10 {
		t.Fatalf("after the list: %+v", u)
	}

	page := owner.get("/usage?granularity=week&days=90")
	expect(t, page, http.StatusOK, `<svg class="chart"`, `class="bar bar-deliverable"`, `<title id="usage-chart-title">Verifications per week</title>`,
		`id="usage-total">11<`, `id="usage-success">45.5%<`, `id="usage-cache">36.4%<`, "live key", "test key", `id="usage-table"`,
		`aria-current="page">Usage`, "Cost in "+time.Now().UTC().Format("January 2006"))
	if n := strings.Count(page.body, `<g class="col">`); n < 13 || n > 14 {
		t.Fatalf("%d weekly columns for 90 days", n)
	}
	// Unknown choices fall back to the defaults.
	expect(t, owner.get("/usage?granularity=hour&days=12"), http.StatusOK, "Verifications per day")
}

// Tenant B sees none of A's usage: not through the store, the API or the page.
func TestUsageIsolatesTenants(t *testing.T) {
	h := newHarness(t)
	a := h.signUp("Acme", "ann@acme.test")
	b := h.signUp("Bolt", "bob@bolt.test")
	keyA, keyB := newKey(t, a, "live"), newKey(t, b, "test")
	api := h.browser()
	decodeVerification(t, api.apiJSON("POST", "/v1/verify", keyA, `{"email":"ann@shop.test"}`))
	expect(t, a.post("/verify", map[string][]string{"email": {"bob@shop.test"}}), http.StatusOK)

	if u := getUsage(t, api, keyA, ""); u.Totals.Total != 2 || u.BySource["dashboard"].Total != 1 {
		t.Fatalf("A's usage %+v", u.Totals)
	}
	u := getUsage(t, api, keyB, "")
	if u.Totals.Total != 0 || len(u.ByKey) != 0 || u.BySource["dashboard"].Total != 0 {
		t.Fatalf("B sees %+v %+v", u.Totals, u.ByKey)
	}
	for _, p := range u.Series {
		if p.Total != 0 {
			t.Fatalf("B's series has %+v", p)
		}
	}
	page := b.get("/usage")
	expect(t, page, http.StatusOK, `id="usage-total">0<`, "No verifications in this period")
	if strings.Contains(page.body, "live key") || strings.Contains(page.body, `class="bar `) {
		t.Fatal("B's page shows A's usage")
	}
	tenantB, err := uuid.Parse(tenantIDByName(t, h, "Bolt"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := usage.NewStore(h.db).Report(t.Context(), tenantB, usage.LastDays(30, usage.Month, time.Now()))
	if err != nil || rep.Totals.Total() != 0 {
		t.Fatalf("B's report %+v %v", rep.Totals, err)
	}
	// Signed out, the page is not shown.
	if res := h.browser().get("/usage"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out: %d", res.StatusCode)
	}
}

var problemDetail = regexp.MustCompile(`"detail":"([^"]*)"`)

func TestAPIUsageParamsAndBuckets(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()
	for _, c := range []struct{ query, param string }{
		{"?from=2026-13-01", "from"},
		{"?from=yesterday", "from"},
		{"?to=2026-02-30", "to"},
		{"?granularity=hour", "granularity"},
		{"?from=2026-11-25&to=2026-11-24", "from"},
		{"?from=2025-01-01&to=2026-11-24", "to"},
	} {
		res := api.api("GET", "/v1/usage"+c.query, key)
		expectProblem(t, res, http.StatusBadRequest, "invalid_request")
		if m := problemDetail.FindStringSubmatch(res.body); m == nil || !strings.HasPrefix(m[1], c.param+" ") {
			t.Errorf("%s: detail does not name %s: %s", c.query, c.param, res.body)
		}
	}
	expectProblem(t, api.api("GET", "/v1/usage", ""), http.StatusUnauthorized, "missing_api_key")

	// Weeks run Monday to Sunday; months are calendar months.
	tenant := uuid.MustParse(tenantIDByName(t, h, "Acme"))
	for day, n := range map[string]int{"2026-11-22": 1, "2026-11-23": 2, "2026-11-29": 4, "2026-11-30": 8, "2026-12-01": 16, "2027-01-31": 32} {
		d, _ := time.Parse(time.DateOnly, day)
		err := h.db.Tx(t.Context(), db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
			return usage.Add(ctx, tx, usage.Delta{TenantID: tenant, Day: d, Source: usage.SourceAPI, Counts: usage.Counts{Deliverable: n}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	series := func(u usageReport) string {
		var parts []string
		for _, p := range u.Series {
			parts = append(parts, p.Period+"="+strconv.Itoa(p.Total))
		}
		return strings.Join(parts, " ")
	}
	u := getUsage(t, api, key, "?from=2026-11-20&to=2026-12-06&granularity=week")
	if got := series(u); got != "2026-11-16=1 2026-11-23=6 2026-11-30=24" || u.Totals.Total != 31 {
		t.Fatalf("weeks: %s (total %d)", got, u.Totals.Total)
	}
	u = getUsage(t, api, key, "?from=2026-11-23&to=2027-01-31&granularity=month")
	if got := series(u); got != "2026-11-01=14 2026-12-01=16 2027-01-01=32" || u.From != "2026-11-23" || u.Granularity != "month" {
		t.Fatalf("months: %s", got)
	}
	if len(u.ByKey) != 1 || u.ByKey[0].KeyID != nil || u.ByKey[0].Total != 62 {
		t.Fatalf("by key %+v", u.ByKey)
	}
}
