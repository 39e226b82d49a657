package app

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/requestlog"
)

// apiInfo is what the API request log needs to know of a request that
// only the inner handlers learn: who made it (requireAPIKey), which route
// it matched and the problem code of an error answer (writeProblem).
type apiInfo struct {
	tenant  uuid.UUID // uuid.Nil: no key authenticated, nothing to log
	key     uuid.UUID
	prefix  string
	route   string
	problem string
}

// countingBody counts the request body bytes the handler read.
type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}

// countBody wraps an API request's body to count it; nil for the rest.
func (s *Server) countBody(r *http.Request) *countingBody {
	if s.RequestLog == nil || !strings.HasPrefix(r.URL.Path, "/v1/") || r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	b := &countingBody{ReadCloser: r.Body}
	r.Body = b
	return b
}

// recordAPIRequest hands a /v1 request to the request log: never its
// body, nor the Authorization header. A request no key authenticated
// (a 401, a signed push) belongs to no tenant's log; the process log has it.
func (s *Server) recordAPIRequest(r *http.Request, ri *requestInfo, rec *statusRecorder, body *countingBody, start time.Time) {
	if s.RequestLog == nil || ri.api.tenant == uuid.Nil || !strings.HasPrefix(r.URL.Path, "/v1/") {
		return
	}
	// The bytes the handler read, or the length the client declared when
	// the body was refused unread (a 429 reads nothing).
	in := max(r.ContentLength, 0)
	if body != nil {
		in = max(in, body.n)
	}
	s.RequestLog.Record(requestlog.Entry{
		TenantID: ri.api.tenant, At: start, KeyID: ri.api.key, KeyPrefix: ri.api.prefix,
		Method: r.Method, Route: ri.api.route, Path: r.URL.Path, Status: rec.status, Problem: ri.api.problem,
		Duration: time.Since(start), RequestID: ri.ID, ClientIP: ri.IP, UserAgent: r.UserAgent(),
		BytesIn: in, BytesOut: int64(rec.bytes),
	})
}
