package app

import (
	"net/http"
	"strings"
)

// apiMethods are the methods an /v1 route may answer, in Allow order.
var apiMethods = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// apiFallback answers what no /v1 route took: 405 method_not_allowed with
// Allow when the path is a route under another method, else 404 not_found.
// The mux's own 405 never happens here, as the "/v1/" catch-all matches
// every method.
func (s *Server) apiFallback(mux *http.ServeMux) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		allow := allowedMethods(mux, r)
		if len(allow) == 0 {
			s.handleAPINotFound(w, r)
			return
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, r, http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed",
			r.Method+" is not allowed on "+r.URL.Path+"; use "+strings.Join(allow, " or ")+".")
	}
}

// allowedMethods lists the methods some route other than the catch-all
// answers at r's path.
func allowedMethods(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range apiMethods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && pattern != "/v1/" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	return allow
}
