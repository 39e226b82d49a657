// Package requestlog owns the log of every API request: the day-partitioned
// request_logs table, the Writer that fills it in batches off the request
// path, the Store tenants and platform admins read it through, and the
// partition upkeep the periodic job runs.
package requestlog

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// Entry is one API request as the log keeps it. Nothing of the body or
// the Authorization header: the key is named by its id and public prefix.
type Entry struct {
	TenantID  uuid.UUID
	At        time.Time // when the request came in
	KeyID     uuid.UUID // uuid.Nil: no key (a signed push)
	KeyPrefix string
	Method    string
	Route     string // the matched pattern, e.g. "GET /v1/lists/{id}"
	Path      string
	Status    int
	Problem   string // the problem code of an error answer; empty otherwise
	Duration  time.Duration
	RequestID string
	ClientIP  string
	UserAgent string
	BytesIn   int64
	BytesOut  int64
}

// Record is a logged request as the API and the pages show it.
type Record struct {
	ID          uuid.UUID `json:"id"`
	TenantID    uuid.UUID `json:"-"` // the admin console's; a tenant knows its own
	CreatedAt   time.Time `json:"created_at"`
	RequestID   string    `json:"request_id"`
	APIKey      *KeyRef   `json:"api_key"`
	Method      string    `json:"method"`
	Route       string    `json:"route"`
	Path        string    `json:"path"`
	Status      int       `json:"status"`
	ProblemCode *string   `json:"problem_code"`
	DurationMS  float64   `json:"duration_ms"`
	ClientIP    string    `json:"client_ip"`
	UserAgent   string    `json:"user_agent"`
	BytesIn     int64     `json:"bytes_in"`
	BytesOut    int64     `json:"bytes_out"`
}

// KeyRef names the key a request was made with.
type KeyRef struct {
	ID     uuid.UUID `json:"id"`
	Prefix string    `json:"prefix"`
}

// maxText bounds the free-form text a client controls (path, user agent)
// so one request cannot bloat a row.
const maxText = 1024

// clean makes client-controlled text storable: PostgreSQL's text refuses
// invalid UTF-8 and NUL (a path may decode %ff or %00 into them), and one
// such row would fail the COPY of its whole batch.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
