package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// reader reads settings one by one, collecting every problem so that Load
// reports them all at once.
type reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (r *reader) raw(name string) (string, bool) {
	v, ok := r.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (r *reader) fail(name, value, problem string) {
	r.errs = append(r.errs, fmt.Errorf("%s=%q: %s", name, value, problem))
}

func (r *reader) str(name, def string) string {
	if v, ok := r.raw(name); ok {
		return v
	}
	return def
}

func (r *reader) hostPort(name string) string {
	v, ok := r.raw(name)
	if !ok {
		return ""
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		r.fail(name, v, "must be host:port, such as 127.0.0.1:53")
		return ""
	}
	return v
}

// listenAddr reads an address to listen on: host:port or :port, the port
// a number (a service name would hide which port is meant).
func (r *reader) listenAddr(name string) string {
	v, ok := r.raw(name)
	if !ok {
		return ""
	}
	_, port, err := net.SplitHostPort(v)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 {
		r.fail(name, v, "must be a listen address host:port or :port, such as 127.0.0.1:9090 or :9090")
		return ""
	}
	return v
}

func (r *reader) intRange(name string, def, lo, hi int) int {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, v, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

func (r *reader) boolean(name string, def bool) bool {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, v, "must be true or false")
		return def
	}
	return b
}

func (r *reader) duration(name string, def, min time.Duration) time.Duration {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min {
		r.fail(name, v, fmt.Sprintf("must be a duration such as 90s, 15m or 24h, at least %s", min))
		return def
	}
	return d
}

// days reads a number of days ("400d") or a Go duration ("9600h"), at
// least min days: retention periods are thought of in days, which Go's
// durations cannot write.
func (r *reader) days(name string, def, min int) time.Duration {
	v, ok := r.raw(name)
	if !ok {
		return time.Duration(def) * 24 * time.Hour
	}
	d, err := time.ParseDuration(v)
	if n, found := strings.CutSuffix(v, "d"); found {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * 24 * time.Hour
	}
	if err != nil || d < time.Duration(min)*24*time.Hour {
		r.fail(name, v, fmt.Sprintf("must be days such as 400d, or a duration such as 9600h, at least %dd", min))
		return time.Duration(def) * 24 * time.Hour
	}
	return d
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	for _, a := range allowed {
		if strings.EqualFold(v, a) {
			return a
		}
	}
	r.fail(name, v, "must be one of "+strings.Join(allowed, ", "))
	return def
}

func (r *reader) url(name, def string, schemes ...string) *url.URL {
	v, ok := r.raw(name)
	if !ok {
		v = def
	}
	u, err := url.Parse(v)
	if err == nil && u.Host != "" {
		for _, s := range schemes {
			if u.Scheme == s {
				return u
			}
		}
	}
	// Never echo a URL that may carry a password.
	shown := v
	if u != nil && u.User != nil {
		shown = u.Redacted()
	}
	r.errs = append(r.errs, fmt.Errorf("%s=%q: must be a URL starting with %s://", name, shown, strings.Join(schemes, ":// or ")))
	fallback, _ := url.Parse(def)
	return fallback
}

// prefixes reads a comma-separated list of CIDRs; a bare address is its
// own /32 or /128.
func (r *reader) prefixes(name string) []netip.Prefix {
	v, ok := r.raw(name)
	if !ok {
		return nil
	}
	var out []netip.Prefix
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			r.fail(name, v, "must be comma-separated CIDRs such as 10.0.0.0/8, 2001:db8::/32 or addresses")
			return nil
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out
}

// durations reads a comma-separated list of at most limit positive
// durations ("1s,1s,2s").
func (r *reader) durations(name string, def []time.Duration, limit int) []time.Duration {
	v, ok := r.raw(name)
	if !ok {
		return slices.Clone(def)
	}
	var out []time.Duration
	for _, item := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(item))
		if err != nil || d <= 0 {
			r.fail(name, v, "must be comma-separated positive durations such as 5s,5m,30m")
			return slices.Clone(def)
		}
		out = append(out, d)
	}
	if len(out) > limit {
		r.fail(name, v, fmt.Sprintf("at most %d retries", limit))
		return slices.Clone(def)
	}
	return out
}
