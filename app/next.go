package app

import (
	"net/url"
	"path"
	"strings"

	"mailvet/safetext"
)

// defaultNext is where a sign-in lands without a usable target.
const defaultNext = "/dashboard"

// safeNext keeps a redirect target (after log-in, log-out) on this site.
// Browsers forgive a lot in a Location header: they drop tabs and line
// breaks (`/\t/evil.test` becomes `//evil.test`), read a backslash as a
// slash and some proxies decode %2F, so the target is parsed and its
// decoded path must be a plain absolute path: no scheme, host or user, no
// control character or backslash anywhere, no `//` at its start. What
// passes is rebuilt from the cleaned path and the query; anything else is
// the dashboard.
func safeNext(next string) string {
	if next == "" || safetext.HasControl(next) || strings.Contains(next, `\`) {
		return defaultNext
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return defaultNext
	}
	p := u.Path
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) || safetext.HasControl(p) {
		return defaultNext
	}
	// Every // and dot segment goes, so the result cannot start with //.
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	if q, err := url.QueryUnescape(u.RawQuery); err != nil || safetext.HasControl(q) || strings.Contains(q, `\`) {
		u.RawQuery = ""
	}
	out := (&url.URL{Path: clean, RawQuery: u.RawQuery}).String()
	if !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") {
		return defaultNext
	}
	return out
}
