package schedules

import (
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	// Time zone names must resolve the same on every machine, whatever
	// its /usr/share/zoneinfo: the database ships with the binary.
	_ "time/tzdata"
)

// The presets, as cron expressions in the schedule's time zone: at 03:00,
// when the lists' owners sleep and their exports are not being read;
// weekly on Mondays, monthly on the 1st.
var presets = map[string]string{
	"daily":   "0 3 * * *",
	"weekly":  "0 3 * * 1",
	"monthly": "0 3 1 * *",
}

// parser takes the five standard fields and the descriptors (@daily,
// @every 6h …); the time zone is the schedule's own, never in the
// expression.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// spec is a parsed schedule.
type spec struct {
	every, expr string
	loc         *time.Location
	sched       cron.Schedule
}

// parseSpec checks every, the expression (for "cron") and the time zone.
func parseSpec(every, expr, zone string) (spec, error) {
	s := spec{every: every}
	if p, ok := presets[every]; ok {
		s.expr = p
	} else {
		s.expr = strings.TrimSpace(expr)
		if s.expr == "" {
			return s, &CronError{Expr: expr, Reason: "give an expression of five fields, e.g. 0 6 * * 1-5"}
		}
		if strings.HasPrefix(s.expr, "TZ=") || strings.HasPrefix(s.expr, "CRON_TZ=") {
			return s, &CronError{Expr: expr, Reason: "give the time zone in time_zone, not in the expression"}
		}
	}
	if len(s.expr) > 200 {
		return s, &CronError{Expr: expr[:200] + "…", Reason: "at most 200 characters"}
	}
	sched, err := parser.Parse(s.expr)
	if err != nil {
		return s, &CronError{Expr: s.expr, Reason: err.Error()}
	}
	s.sched = sched
	if zone == "" || zone == "Local" || len(zone) > 64 {
		return s, ErrUnknownTimeZone
	}
	if s.loc, err = time.LoadLocation(zone); err != nil {
		return s, ErrUnknownTimeZone
	}
	return s, nil
}

// next is the first period after t, in the schedule's zone.
func (s spec) next(t time.Time) time.Time {
	return s.sched.Next(t.In(s.loc)).UTC()
}

// shortestGap is the least time between two consecutive runs over the
// coming year, read in UTC so that a daylight-saving change does not make
// a daily schedule 23 hours apart. It stops early once below floor.
func (s spec) shortestGap(from time.Time, floor time.Duration) time.Duration {
	utc := spec{sched: s.sched, loc: time.UTC}
	prev := utc.next(from)
	end := from.AddDate(1, 0, 0)
	gap := time.Duration(1<<63 - 1)
	for i := 0; i < 2000 && prev.Before(end); i++ {
		n := utc.next(prev)
		if n.IsZero() {
			break
		}
		gap = min(gap, n.Sub(prev))
		if gap < floor {
			break
		}
		prev = n
	}
	return gap
}
