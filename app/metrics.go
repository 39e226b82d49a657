package app

import (
	"net/http"
	"time"
)

// RequestObserver is told of every request (metrics.Metrics): Started as
// it comes in, Finished with its route pattern (r.Pattern, empty when no
// route matched), method, status and time taken. The HTTP layer knows no
// metrics system; it only reports.
type RequestObserver interface {
	RequestStarted()
	RequestFinished(route, method string, status int, elapsed time.Duration)
}

// notePattern keeps the pattern the mux matched for the outer middleware,
// which sees the request before routing: the mux sets r.Pattern on the
// request it routes, and a middleware in between may pass on a copy.
func notePattern(mux http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { infoFrom(r.Context()).route = r.Pattern }() // a handler's panic too
		mux.ServeHTTP(w, r)
	})
}
