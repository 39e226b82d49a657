package requestlog

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
)

// Store reads the request log: a tenant's own (List) and, for the platform
// admin console, every tenant's (ListAll). It also keeps the partitions
// (Maintain).
type Store struct{ db *db.DB }

// NewStore is the request log's store on d.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Filter chooses logged requests; zero fields choose all.
type Filter struct {
	RequestID  string
	KeyID      uuid.UUID // a key by its id …
	KeyPrefix  string    // … or by its prefix (mv_live_ab12…)
	Route      string    // a route pattern, e.g. "POST /v1/verify"
	StatusFrom int       // statuses from … to …, inclusive: 404–404, 400–499
	StatusTo   int
	Since      *time.Time // inclusive
	Until      *time.Time // exclusive
	Cursor     string     // a page's next_cursor
	Limit      int        // 1–100, default 50
	// TenantID narrows ListAll to one tenant; List ignores it (its tenant
	// is its argument).
	TenantID uuid.UUID
}

// Page is a page of logged requests, newest first, and the next page's cursor.
type Page struct {
	Logs []Record `json:"request_logs"`
	Next string   `json:"next_cursor,omitempty"`
}

// ErrBadCursor: the cursor is not one a page gave.
var ErrBadCursor = errors.New("invalid cursor")

// List pages through the tenant's logged requests, newest first. Owners
// and admins read it (an API key acts as an admin): it shows every key's
// traffic, which members do not manage.
func (s *Store) List(ctx context.Context, tenantID uuid.UUID, f Filter, by actor.Actor) (Page, error) {
	if err := by.RequireIn(tenantID, actor.RoleAdmin); err != nil {
		if errors.Is(err, actor.ErrOtherTenant) {
			err = actor.ErrForbidden
		}
		return Page{}, err
	}
	f.TenantID = tenantID
	return s.page(ctx, db.Tenant(tenantID), f)
}

// ListAll pages through every tenant's logged requests (or one tenant's,
// f.TenantID), newest first, for the platform admin console, which
// authorizes its caller before it asks.
func (s *Store) ListAll(ctx context.Context, f Filter, by actor.Actor) (Page, error) {
	if err := by.RequirePlatform(); err != nil {
		return Page{}, err
	}
	return s.page(ctx, db.System("admin console: every tenant's API request log"), f)
}

func (s *Store) page(ctx context.Context, scope db.Scope, f Filter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 100)
	where, args, err := f.where()
	if err != nil {
		return Page{}, err
	}
	page := Page{Logs: []Record{}}
	err = s.db.Tx(ctx, scope, func(ctx context.Context, tx db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, tenant_id, created_at, request_id, api_key_id, key_prefix, method, route, path,
				status, problem_code, duration_us, client_ip, user_agent, bytes_in, bytes_out
			FROM request_logs WHERE `+where+` ORDER BY created_at DESC, id DESC LIMIT ?`, append(args, f.Limit+1)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r Record
			var key uuid.NullUUID
			var prefix, problem string
			var micros int64
			if err := rows.Scan(&r.ID, &r.TenantID, &r.CreatedAt, &r.RequestID, &key, &prefix, &r.Method, &r.Route, &r.Path,
				&r.Status, &problem, &micros, &r.ClientIP, &r.UserAgent, &r.BytesIn, &r.BytesOut); err != nil {
				return err
			}
			if key.Valid {
				r.APIKey = &KeyRef{ID: key.UUID, Prefix: prefix}
			}
			if problem != "" {
				r.ProblemCode = &problem
			}
			r.DurationMS = float64(micros) / 1000
			page.Logs = append(page.Logs, r)
		}
		return rows.Err()
	})
	if err != nil {
		return Page{}, err
	}
	if len(page.Logs) > f.Limit {
		page.Logs = page.Logs[:f.Limit]
		last := page.Logs[f.Limit-1]
		page.Next = encodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// where is the filter as SQL conditions (fixed text, values as arguments).
// Every tenant read leads with tenant_id, as the indexes do.
func (f Filter) where() (string, []any, error) {
	var conds []string
	var args []any
	add := func(cond string, vals ...any) {
		conds = append(conds, cond)
		args = append(args, vals...)
	}
	if f.TenantID != uuid.Nil {
		add("tenant_id = ?", f.TenantID)
	}
	if f.RequestID != "" {
		add("request_id = ?", f.RequestID)
	}
	if f.KeyID != uuid.Nil {
		add("api_key_id = ?", f.KeyID)
	}
	if f.KeyPrefix != "" {
		add("key_prefix = ?", f.KeyPrefix)
	}
	if f.Route != "" {
		add("route = ?", f.Route)
	}
	if f.StatusFrom > 0 {
		add("status >= ?", f.StatusFrom)
	}
	if f.StatusTo > 0 {
		add("status <= ?", f.StatusTo)
	}
	if f.Since != nil {
		add("created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		add("created_at < ?", *f.Until)
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return "", nil, err
		}
		add("(created_at, id) < (?, ?)", at, id)
	}
	if len(conds) == 0 {
		return "true", nil, nil
	}
	return strings.Join(conds, " AND "), args, nil
}

func encodeCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id.String()))
}

func decodeCursor(c string) (time.Time, uuid.UUID, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	at, idText, ok := strings.Cut(string(raw), "|")
	t, err1 := time.Parse(time.RFC3339Nano, at)
	id, err2 := uuid.Parse(idText)
	if !ok || err1 != nil || err2 != nil {
		return time.Time{}, uuid.Nil, ErrBadCursor
	}
	return t, id, nil
}
