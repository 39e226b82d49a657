package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"
)

type ctxKey int

const (
	requestInfoKey ctxKey = iota
	pageCtxKey
	apiCtxKey
)

// requestInfo is filled in as a request passes through the middleware, so
// the access log line can name the tenant that authentication found, and
// the API request log (requestlog.go) its key and problem code.
type requestInfo struct {
	ID     string
	IP     string
	Tenant string
	route  string // the pattern the mux matched (notePattern)
	api    apiInfo
}

func infoFrom(ctx context.Context) *requestInfo {
	if ri, ok := ctx.Value(requestInfoKey).(*requestInfo); ok {
		return ri
	}
	return &requestInfo{}
}

func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 || strings.ContainsFunc(id, func(c rune) bool { return c < 0x21 || c > 0x7e }) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestInfoKey, &requestInfo{ID: id, IP: s.clientIP(r)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// statusRecorder remembers the status code for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *Server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if s.Observer != nil {
			s.Observer.RequestStarted()
		}
		rec := &statusRecorder{ResponseWriter: w}
		body := s.countBody(r)
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		ri := infoFrom(r.Context())
		if s.Observer != nil {
			s.Observer.RequestFinished(ri.route, r.Method, rec.status, time.Since(start))
		}
		level := slog.LevelInfo
		if rec.status >= 500 {
			level = slog.LevelError
		}
		s.Log.LogAttrs(r.Context(), level, "request",
			slog.String("request_id", ri.ID),
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("tenant", ri.Tenant),
			slog.String("ip", ri.IP),
		)
		s.recordAPIRequest(r, ri, rec, body, start)
	})
}

func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			err := fmt.Errorf("panic: %v", v)
			s.Log.Error("panic serving request", "request_id", infoFrom(r.Context()).ID, "err", err, "stack", string(debug.Stack()))
			sentry.CurrentHub().Recover(v)
			s.fail(w, r, err)
		}()
		next.ServeHTTP(w, r)
	})
}

// limitByIP throttles sign-in, sign-up and password resets per client IP.
// The limit is per process (in memory); see the README.
func (s *Server) limitByIP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, remaining, reset, ok, err := s.authLimiter.Take(r.Context(), "auth:"+infoFrom(r.Context()).IP)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		resetIn := max(time.Until(time.Unix(0, int64(reset))), 0)
		retryAfter := int(resetIn.Seconds() + 0.999)
		w.Header().Set("RateLimit-Limit", strconv.FormatUint(limit, 10))
		w.Header().Set("RateLimit-Remaining", strconv.FormatUint(remaining, 10))
		w.Header().Set("RateLimit-Reset", strconv.Itoa(retryAfter))
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(max(retryAfter, 1)))
			s.renderError(w, r, http.StatusTooManyRequests, "Too many attempts",
				fmt.Sprintf("Too many attempts from your network. Try again in %d seconds.", max(retryAfter, 1)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) csrfDenied(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v1/") {
		writeProblem(w, r, http.StatusForbidden, "cross_origin_request", "Cross-origin request refused",
			"Browser requests from other sites cannot change data.")
		return
	}
	s.renderError(w, r, http.StatusForbidden, "Request refused",
		"This form was sent from another site, so it was refused. Reload the page and try again.")
}
