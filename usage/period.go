package usage

import (
	"fmt"
	"time"
)

// Granularity is the length of a report's periods.
type Granularity string

// Granularities.
const (
	Day   Granularity = "day"
	Week  Granularity = "week" // ISO weeks, Monday to Sunday
	Month Granularity = "month"
)

// Valid reports whether g is a known granularity.
func (g Granularity) Valid() bool { return g == Day || g == Week || g == Month }

// MaxDays bounds a report's range, both days included.
const MaxDays = 400

// DefaultDays is the range of a report that names none.
const DefaultDays = 30

// Range is a report's span of UTC days, both included, and its periods.
type Range struct {
	From, To    time.Time // UTC midnights
	Granularity Granularity
}

// Days is the number of days in the range.
func (r Range) Days() int { return int(r.To.Sub(r.From).Hours()/24) + 1 }

// ParamError says which request parameter is wrong and why.
type ParamError struct {
	Param  string
	Reason string
}

func (e *ParamError) Error() string { return e.Param + " " + e.Reason }

// ParseRange reads a report's parameters: dates as YYYY-MM-DD and a
// granularity (day, week or month). Empty values take defaults: to is
// today, from is DefaultDays days up to to, granularity is day.
func ParseRange(from, to, granularity string, now time.Time) (Range, error) {
	r := Range{To: DateOf(now), Granularity: Day}
	if granularity != "" {
		r.Granularity = Granularity(granularity)
		if !r.Granularity.Valid() {
			return r, &ParamError{"granularity", "must be day, week or month"}
		}
	}
	if to != "" {
		t, err := time.Parse(time.DateOnly, to)
		if err != nil {
			return r, &ParamError{"to", "must be a date as YYYY-MM-DD"}
		}
		r.To = t
	}
	r.From = r.To.AddDate(0, 0, -(DefaultDays - 1))
	if from != "" {
		f, err := time.Parse(time.DateOnly, from)
		if err != nil {
			return r, &ParamError{"from", "must be a date as YYYY-MM-DD"}
		}
		r.From = f
	}
	if r.From.After(r.To) {
		return r, &ParamError{"from", "must not be after to"}
	}
	if d := r.Days(); d > MaxDays {
		return r, &ParamError{"to", fmt.Sprintf("is %d days after from; a range spans at most %d days", d-1, MaxDays)}
	}
	return r, nil
}

// LastDays is the range of the n days up to today.
func LastDays(n int, g Granularity, now time.Time) Range {
	to := DateOf(now)
	return Range{From: to.AddDate(0, 0, -(n - 1)), To: to, Granularity: g}
}

// DateOf is t's UTC date, as a UTC midnight.
func DateOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// PeriodStart is the first day of the period of granularity g holding day:
// the day itself, the Monday of its week or the 1st of its month.
func PeriodStart(day time.Time, g Granularity) time.Time {
	day = DateOf(day)
	switch g {
	case Week:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case Month:
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// next is the start of the period after the one starting at start.
func next(start time.Time, g Granularity) time.Time {
	switch g {
	case Week:
		return start.AddDate(0, 0, 7)
	case Month:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// Periods are the starts of the range's periods, in order. The first may
// start before From (a week or month already under way); only the range's
// days are counted in it.
func (r Range) Periods() []time.Time {
	var out []time.Time
	for p := PeriodStart(r.From, r.Granularity); !p.After(r.To); p = next(p, r.Granularity) {
		out = append(out, p)
	}
	return out
}
