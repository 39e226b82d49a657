package transport

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"":                                  0,
		"0":                                 0,
		"120":                               2 * time.Minute,
		" 5 ":                               5 * time.Second,
		"86400":                             24 * time.Hour,
		"86401":                             24 * time.Hour,
		"99999999999999999999999":           24 * time.Hour,
		"-1":                                0,
		"1.5":                               0,
		"soon":                              0,
		"Wed, 02 Dec 2026 08:10:00 GMT":     10 * time.Minute,
		"Wednesday, 02-Dec-26 08:00:30 GMT": 30 * time.Second, // RFC 850
		"Wed Dec  2 09:00:00 2026":          time.Hour,        // asctime
		"Tue, 01 Dec 2026 08:00:00 GMT":     0,                // past
		"Fri, 01 Jan 2100 00:00:00 GMT":     24 * time.Hour,
	}
	for value, want := range cases {
		if got := parseRetryAfter(value, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", value, got, want)
		}
	}
	// A date a fraction of a second away rounds up, never to 0.
	if got := parseRetryAfter("Wed, 02 Dec 2026 08:00:01 GMT", now.Add(300*time.Millisecond)); got != time.Second {
		t.Errorf("sub-second date = %s, want 1s", got)
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, seed := range []string{"", "0", "120", "-1", "1e3", " 7 ", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 02 Dec 2026 08:10:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "\x00", "١٢٣"} {
		f.Add(seed)
	}
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, value string) {
		got := parseRetryAfter(value, now)
		if got < 0 || got > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %s, outside 0..24h", value, got)
		}
		if got%time.Second != 0 {
			t.Fatalf("parseRetryAfter(%q) = %s, not whole seconds", value, got)
		}
		if seconds, err := strconv.Atoi(strings.TrimSpace(value)); err == nil && seconds >= 0 && seconds < 86400 && isDigits(strings.TrimSpace(value)) {
			if got != time.Duration(seconds)*time.Second {
				t.Fatalf("parseRetryAfter(%q) = %s, want %ds", value, got, seconds)
			}
		}
	})
}

func TestValidUTF8Prefix(t *testing.T) {
	cases := []struct {
		in    string
		limit int
		want  string
	}{
		{"hello", 10, "hello"},
		{"hello", 3, "hel"},
		{"aé", 2, "a"},                // é cut by the read limit is dropped
		{"a\xc3", 10, "a"},            // a character cut at the end of the read
		{"a\xffb", 10, "a\uFFFDb"},    // invalid byte replaced
		{"\xff\xff\xff", 4, "\uFFFD"}, // replacement never exceeds the limit
		{"日本語", 7, "日本"},
	}
	for _, c := range cases {
		got := validUTF8Prefix([]byte(c.in), c.limit)
		if got != c.want || !utf8.ValidString(got) || len(got) > c.limit {
			t.Errorf("validUTF8Prefix(%q, %d) = %q, want %q", c.in, c.limit, got, c.want)
		}
	}
}

func TestBoundedHeader(t *testing.T) {
	header := http.Header{}
	for i := range 80 {
		header.Add("X-Many", strconv.Itoa(i))
	}
	header.Set("A-Long", strings.Repeat("é", 1000)) // 2,000 bytes
	kept := boundedHeader(header)
	if got := kept.Get("A-Long"); len(got) > maxHeaderValue || !utf8.ValidString(got) || len(got) < maxHeaderValue-1 {
		t.Fatalf("long value kept as %d bytes", len(got))
	}
	if got := len(kept["X-Many"]); got != maxKeptHeaders-1 {
		t.Fatalf("kept %d X-Many values, want %d", got, maxKeptHeaders-1)
	}
}
