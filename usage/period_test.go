package usage_test

import (
	"errors"
	"testing"
	"time"

	"mailvet/usage"
	"mailvet/verify"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseRange(t *testing.T) {
	now := time.Date(2026, 11, 24, 23, 30, 0, 0, time.FixedZone("X", -5*3600)) // 25 Nov in UTC
	r, err := usage.ParseRange("", "", "", now)
	if err != nil || r.From != date("2026-10-27") || r.To != date("2026-11-25") || r.Granularity != usage.Day || r.Days() != 30 {
		t.Fatalf("defaults: %+v %v", r, err)
	}
	r, err = usage.ParseRange("2026-01-01", "2026-03-31", "month", now)
	if err != nil || r.From != date("2026-01-01") || r.To != date("2026-03-31") || r.Granularity != usage.Month {
		t.Fatalf("explicit: %+v %v", r, err)
	}
	r, err = usage.ParseRange("", "2026-03-31", "week", now)
	if err != nil || r.From != date("2026-03-02") || r.Days() != 30 {
		t.Fatalf("to only: %+v %v", r, err)
	}
	if r, err := usage.ParseRange("2025-10-21", "2026-11-24", "", now); err != nil || r.Days() != usage.MaxDays {
		t.Fatalf("longest range: %+v %v", r, err)
	}
	for _, c := range []struct{ from, to, gran, param string }{
		{"2026-13-01", "", "", "from"},
		{"yesterday", "", "", "from"},
		{"", "2026-11-31", "", "to"},
		{"", "", "hour", "granularity"},
		{"2026-11-25", "2026-11-24", "", "from"},
		{"2025-10-20", "2026-11-24", "", "to"},
	} {
		_, err := usage.ParseRange(c.from, c.to, c.gran, now)
		var pe *usage.ParamError
		if !errors.As(err, &pe) || pe.Param != c.param {
			t.Errorf("ParseRange(%q, %q, %q) = %v, want an error about %s", c.from, c.to, c.gran, err, c.param)
		}
	}
}

func TestPeriods(t *testing.T) {
	for _, c := range []struct {
		day  string
		g    usage.Granularity
		want string
	}{
		{"2026-11-24", usage.Day, "2026-11-24"},
		{"2026-11-23", usage.Week, "2026-11-23"}, // a Monday
		{"2026-11-29", usage.Week, "2026-11-23"}, // a Sunday
		{"2026-11-24", usage.Week, "2026-11-23"},
		{"2027-01-01", usage.Week, "2026-12-28"}, // across the year
		{"2026-11-30", usage.Month, "2026-11-01"},
		{"2026-12-01", usage.Month, "2026-12-01"},
	} {
		if got := usage.PeriodStart(date(c.day), c.g); got != date(c.want) {
			t.Errorf("PeriodStart(%s, %s) = %s, want %s", c.day, c.g, got.Format(time.DateOnly), c.want)
		}
	}
	r := usage.Range{From: date("2026-10-15"), To: date("2027-01-02"), Granularity: usage.Month}
	if got := dates(r.Periods()); got != "2026-10-01 2026-11-01 2026-12-01 2027-01-01" {
		t.Fatalf("months: %s", got)
	}
	r.Granularity = usage.Week
	r.From, r.To = date("2026-11-11"), date("2026-11-30")
	if got := dates(r.Periods()); got != "2026-11-09 2026-11-16 2026-11-23 2026-11-30" {
		t.Fatalf("weeks: %s", got)
	}
	r.Granularity = usage.Day
	r.From = r.To
	if got := dates(r.Periods()); got != "2026-11-30" {
		t.Fatalf("one day: %s", got)
	}
}

func dates(ts []time.Time) string {
	out := ""
	for i, t := range ts {
		if i > 0 {
			out += " "
		}
		out += t.Format(time.DateOnly)
	}
	return out
}

func TestBillable(t *testing.T) {
	live := verify.Result{Status: verify.Deliverable, Reason: verify.ReasonAccepted}
	if !usage.Billable(live, false) {
		t.Fatal("a live engine answer is billable")
	}
	cached, ruled := live, live
	cached.Cached, ruled.Reason = true, verify.ReasonBlockedByRule
	if usage.Billable(live, true) || usage.Billable(cached, false) || usage.Billable(ruled, false) {
		t.Fatal("test mode, cache hits and rules are free")
	}
	c := usage.Counts{Deliverable: 3, Undeliverable: 1, Risky: 0, Unknown: 0, CacheHits: 1}
	if c.Total() != 4 || c.SuccessRate() != 0.75 || c.CacheHitRate() != 0.25 || (usage.Counts{}).SuccessRate() != 0 {
		t.Fatalf("rates of %+v", c)
	}
}
