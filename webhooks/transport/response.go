package transport

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const (
	// maxKeptHeaders and maxHeaderValue bound the copy of the response
	// headers stored with every attempt: enough to debug an endpoint,
	// too little for an endpoint to fill the database.
	maxKeptHeaders = 50
	maxHeaderValue = 1024
	// maxRetryAfter caps what an endpoint can ask for: past a day, the
	// retry schedule decides.
	maxRetryAfter = 24 * time.Hour
)

// boundedHeader copies at most maxKeptHeaders header values, names in
// sorted order so the same answer keeps the same copy, each value cut to
// maxHeaderValue bytes.
func boundedHeader(header http.Header) http.Header {
	names := make([]string, 0, len(header))
	for name := range header {
		names = append(names, name)
	}
	slices.Sort(names)
	kept := make(http.Header, min(len(names), maxKeptHeaders))
	count := 0
	for _, name := range names {
		for _, value := range header[name] {
			if count == maxKeptHeaders {
				return kept
			}
			kept[name] = append(kept[name], truncateString(value, maxHeaderValue))
			count++
		}
	}
	return kept
}

// truncateString cuts s to at most n bytes on a rune boundary.
func truncateString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// validUTF8Prefix returns the longest prefix of b that fits in limit
// bytes as valid UTF-8: bytes that are not UTF-8 become U+FFFD (so
// PostgreSQL accepts the text), and a character cut by the read limit is
// dropped rather than replaced.
func validUTF8Prefix(b []byte, limit int) string {
	if len(b) <= limit && utf8.Valid(b) {
		return string(b)
	}
	var out strings.Builder
	out.Grow(min(len(b), limit))
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size <= 1 && !utf8.FullRune(b) {
			break // the read limit cut this character
		}
		if out.Len()+utf8.RuneLen(r) > limit {
			break
		}
		out.WriteRune(r)
		b = b[size:]
	}
	return out.String()
}

// parseRetryAfter reads a Retry-After value, delay-seconds or an HTTP
// date (RFC 9110, section 10.2.3), as a wait from now between 0 and 24
// hours. Anything unreadable is 0: the retry schedule applies.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if isDigits(value) {
		seconds, err := strconv.ParseUint(value, 10, 64)
		if err != nil || seconds >= uint64(maxRetryAfter/time.Second) {
			// Only an overflow fails on digits: a huge wait, capped.
			return maxRetryAfter
		}
		return time.Duration(seconds) * time.Second
	}
	when, err := http.ParseTime(value)
	if err != nil {
		return 0
	}
	wait := when.Sub(now)
	switch {
	case wait <= 0:
		return 0
	case wait > maxRetryAfter:
		return maxRetryAfter
	default:
		// A date has whole seconds; rounding up keeps the retry after
		// the moment the endpoint named.
		if rest := wait % time.Second; rest != 0 {
			wait += time.Second - rest
		}
		return min(wait, maxRetryAfter)
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
