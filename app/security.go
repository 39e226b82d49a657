package app

import (
	"net/http"
	"net/url"
	"strings"
)

// securityHeaders are set on every response before the handler runs.
type securityHeaders map[string]string

// newSecurityHeaders builds the headers for a service served at base.
//
// The Content-Security-Policy allows no inline script or style at all:
// the pages load one script (htmx, from /static) and one stylesheet, htmx
// is told by its meta config not to inject its indicator <style> nor run
// eval, and no template carries an inline handler or style attribute (the
// progress bars are SVG, sized by attributes). Forms may go to this site
// and to Stripe, whose Checkout and portal the billing forms redirect to
// (browsers check form-action on the redirect too).
func newSecurityHeaders(base *url.URL) securityHeaders {
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src 'self' data:",
		"font-src 'self'",
		"connect-src 'self'",
		"form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
		"frame-ancestors 'none'",
		"base-uri 'none'",
		"object-src 'none'",
	}, "; ")
	h := securityHeaders{
		"Content-Security-Policy": csp,
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY", // frame-ancestors for browsers that predate it
		"Referrer-Policy":         "same-origin",
	}
	if base != nil && base.Scheme == "https" {
		// Two years, as browsers' preload lists ask; not includeSubDomains:
		// the operator's other hosts are not ours to promise.
		h["Strict-Transport-Security"] = "max-age=63072000"
	}
	return h
}

func (s *Server) withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range s.headers {
			w.Header().Set(k, v)
		}
		next.ServeHTTP(w, r)
	})
}
