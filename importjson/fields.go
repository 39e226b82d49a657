package importjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Fields are a record's fields, each value still JSON. The getters take
// the names a field went by in the old service's versions and use the
// first one present and not null.
type Fields map[string]json.RawMessage

func (f Fields) raw(names []string) (json.RawMessage, string, bool) {
	for _, n := range names {
		if v, ok := f[n]; ok && !bytes.Equal(v, []byte("null")) {
			return v, n, true
		}
	}
	return nil, "", false
}

// String is a text field; a number is taken as its digits (ids often
// are numbers).
func (f Fields) String(names ...string) (string, bool) {
	v, _, ok := f.raw(names)
	if !ok {
		return "", false
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s), true
	}
	var n json.Number
	if json.Unmarshal(v, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// Bool is a flag: true/false, 1/0 or "true"/"yes"/"1".
func (f Fields) Bool(names ...string) (value, ok bool) {
	v, _, ok := f.raw(names)
	if !ok {
		return false, false
	}
	var b bool
	if json.Unmarshal(v, &b) == nil {
		return b, true
	}
	if s, ok := f.String(names...); ok {
		switch strings.ToLower(s) {
		case "true", "yes", "1", "y":
			return true, true
		case "false", "no", "0", "n", "":
			return false, true
		}
	}
	return false, false
}

// Int is a whole number, given as a number or as digits.
func (f Fields) Int(names ...string) (int, bool) {
	s, ok := f.String(names...)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n != math.Trunc(n) || math.Abs(n) > 1e9 {
		return 0, false
	}
	return int(n), true
}

// Array is a list field's elements, each still JSON.
func (f Fields) Array(names ...string) ([]json.RawMessage, string, bool) {
	v, name, ok := f.raw(names)
	if !ok {
		return nil, "", false
	}
	var out []json.RawMessage
	if json.Unmarshal(v, &out) != nil {
		return nil, name, false
	}
	return out, name, true
}

// errNoTime: none of the time fields is present.
var errNoTime = errors.New("no time")

// Time is a moment, as the old service wrote it: ISO 8601 / RFC 3339
// (Python's isoformat, with or without a zone: without one it is UTC),
// "2006-01-02 15:04:05", a date alone, or Unix seconds (milliseconds
// when the number is that large), as a number or as digits. A time
// before 1990 or more than a day ahead is refused: it is a wrong field,
// not a moment of the old service's life.
func (f Fields) Time(names ...string) (time.Time, error) {
	return f.timeBefore(time.Now().Add(24*time.Hour), names)
}

// Expiry is a time like Time that may lie in the future (up to 2200).
func (f Fields) Expiry(names ...string) (time.Time, error) {
	return f.timeBefore(time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), names)
}

func (f Fields) timeBefore(limit time.Time, names []string) (time.Time, error) {
	v, name, ok := f.raw(names)
	if !ok {
		return time.Time{}, errNoTime
	}
	var t time.Time
	var s string
	var n json.Number
	ok = false // neither a string nor a number: unparseable
	switch {
	case json.Unmarshal(v, &s) == nil:
		t, ok = parseTimeText(strings.TrimSpace(s))
	case json.Unmarshal(v, &n) == nil:
		t, ok = unixTime(n.String())
	}
	if !ok {
		return time.Time{}, fmt.Errorf("unparseable time in %q: %s", name, clip(string(v)))
	}
	if t.Year() < 1990 || t.After(limit) {
		return time.Time{}, fmt.Errorf("time out of range in %q: %s", name, t.Format(time.RFC3339))
	}
	return t.UTC(), nil
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	time.DateOnly,
}

func parseTimeText(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return unixTime(s)
}

func unixTime(s string) (time.Time, bool) {
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) || x < 0 || x > 1e15 {
		return time.Time{}, false
	}
	if x > 1e11 { // past the year 5138 in seconds: milliseconds
		x /= 1000
	}
	sec, frac := math.Modf(x)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// clip shortens a value quoted in a report line.
func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
