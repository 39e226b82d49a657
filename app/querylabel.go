package app

import (
	"net/http"

	"mailvet/db"
)

// withQueryLabel names the route (the mux's pattern, never the raw path)
// on every statement the request makes, so a slow query says which route
// sent it. The pattern is read when a statement is observed: the mux sets
// it on this very request after this middleware ran.
func withQueryLabel(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var labeled *http.Request
		labeled = r.WithContext(db.WithLabel(r.Context(), func() string { return labeled.Pattern }))
		next.ServeHTTP(w, labeled)
	})
}
