package audit

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/actor"
	"mailvet/db"
)

// Support is how a tenant's own log names a platform admin who acted
// (by_support): the admin's address is the platform's, not the tenant's.
const Support = "mailvet support"

// Filter chooses events. Every field is optional.
type Filter struct {
	// Actor: an email address, a user or API key id, "mailvet support", or
	// a kind (user, api_key, operator, system).
	Actor string
	// Action: an action ("api_key.created") or its family ("api_key").
	Action string
	// Target: a target id, a target type, or "type:id".
	Target string
	// Since (inclusive) and Until (exclusive) bound created_at.
	Since, Until *time.Time
	// Q is free text looked for in the action, target, actor, IP,
	// request id and metadata.
	Q string
	// Tenant, in the platform's log only: a workspace's slug.
	Tenant string
	Cursor string
	Limit  int // 1–500, default 50
}

// Page is a page of events, newest first, and the next page's cursor.
type Page struct {
	Events []Event
	Next   string
}

// ErrNotFound: no event with this id in the log being read.
var ErrNotFound = errors.New("audit event not found")

// ErrBadCursor: the cursor is not one a page gave.
var ErrBadCursor = errors.New("invalid audit cursor")

// Store reads the audit log for its viewers, its API and its exports, and
// deletes what is past retention. Events are written with Record, inside
// the transaction of each change.
type Store struct {
	db *db.DB
}

// NewStore returns the audit log's reader.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// view is whose log is read: one tenant's (as its owners and admins see
// it) or the platform's (every tenant's and the platform's own events).
type view struct {
	tenant   uuid.UUID
	platform bool
}

// scope is the transaction a view reads in: the tenant's own, or for the
// platform view the one named cross-tenant path.
func (v view) scope() db.Scope {
	if v.platform {
		return db.System("audit: the platform admin's log of every tenant").Snapshot()
	}
	return db.Tenant(v.tenant).Snapshot()
}

// tenantView authorizes by to read tenantID's own log: its owners and
// admins, and its API keys (which act as admins).
func tenantView(tenantID uuid.UUID, by actor.Actor) (view, error) {
	if err := by.RequireIn(tenantID, actor.RoleAdmin); err != nil {
		if errors.Is(err, actor.ErrOtherTenant) {
			return view{}, ErrNotFound
		}
		return view{}, err
	}
	return view{tenant: tenantID}, nil
}

// platformView authorizes by to read every tenant's log: platform admins
// and the operator CLI only.
func platformView(by actor.Actor) (view, error) {
	if !(by.Kind == actor.KindUser && by.Platform) && by.Kind != actor.KindOperator {
		return view{}, actor.ErrForbidden
	}
	return view{platform: true}, nil
}

// actorExpr is the actor as the view shows it: in a tenant's log a
// platform admin is "mailvet support", so no filter or search can find
// the admin's address there.
func (v view) actorExpr() string {
	if v.platform {
		return "e.actor_email"
	}
	return "CASE WHEN e.by_support THEN '" + Support + "' ELSE e.actor_email END"
}

// where applies the view and the filter (but not the cursor) to q.
func (v view) where(q *bun.SelectQuery, f Filter) *bun.SelectQuery {
	if !v.platform {
		q = q.Where("e.tenant_id = ?", v.tenant)
	}
	if a := strings.TrimSpace(f.Actor); a != "" {
		id, idErr := uuid.Parse(a)
		switch {
		case idErr == nil:
			q = q.Where("(e.actor_id = ? OR e.actor_key = ?)", id, id)
			if !v.platform {
				q = q.Where("NOT e.by_support")
			}
		case isKind(a):
			q = q.Where("e.actor_kind = ?", a)
		default:
			q = q.Where("lower("+v.actorExpr()+") = lower(?)", a)
		}
	}
	if slug := strings.TrimSpace(f.Tenant); v.platform && slug != "" {
		q = q.Where("t.slug = ?", slug)
	}
	if a := strings.TrimSpace(f.Action); a != "" {
		q = q.Where("(e.action = ? OR starts_with(e.action, ? || '.'))", a, a)
	}
	if t := strings.TrimSpace(f.Target); t != "" {
		if typ, id, ok := strings.Cut(t, ":"); ok {
			q = q.Where("e.target_type = ? AND e.target_id = ?", typ, id)
		} else {
			q = q.Where("(e.target_id = ? OR e.target_type = ?)", t, t)
		}
	}
	if f.Since != nil {
		q = q.Where("e.created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("e.created_at < ?", *f.Until)
	}
	if text := strings.TrimSpace(f.Q); text != "" {
		// strpos rather than LIKE: the text is matched as typed, with no
		// wildcard to escape.
		q = q.Where("strpos(lower(concat_ws(' ', e.action, e.target_type, e.target_id, "+v.actorExpr()+
			", e.ip, e.request_id, e.metadata::text, e.changes::text)), lower(?)) > 0", text)
	}
	return q
}

func isKind(s string) bool {
	switch actor.Kind(s) {
	case actor.KindUser, actor.KindAPIKey, actor.KindOperator, actor.KindSystem:
		return true
	}
	return false
}

// present is an event as the view shows it: in a tenant's log a platform
// admin's row names "mailvet support", without the admin's id, address or
// network details.
func (v view) present(e Event) Event {
	if !v.platform && e.BySupport {
		e.ActorID, e.ActorEmail, e.IP, e.UserAgent = nil, Support, "", ""
	}
	return e
}

// query selects the view's events chosen by f, newest first.
func (v view) query(tx bun.IDB, f Filter, c *cursor) *bun.SelectQuery {
	q := v.where(tx.NewSelect().Model((*Event)(nil)).ColumnExpr("e.*"), f)
	if v.platform {
		q = q.ColumnExpr("t.slug AS tenant_slug").Join("LEFT JOIN tenants AS t ON t.id = e.tenant_id")
	}
	if c != nil {
		// Not the row comparison (created_at, id) < (…): it is not
		// leakproof, so under row-level security it is not an index
		// condition and every page would read the log from its top.
		q = q.Where("e.created_at <= ?", c.at).Where("(e.created_at < ? OR e.id < ?)", c.at, c.id)
	}
	return q.OrderExpr("e.created_at DESC, e.id DESC")
}

// chunk reads up to limit events of the view after c, newest first.
func (v view) chunk(ctx context.Context, tx bun.IDB, f Filter, c *cursor, limit int) ([]Event, error) {
	events := make([]Event, 0, limit)
	if err := v.query(tx, f, c).Limit(int64(limit)).Scan(ctx, &events); err != nil {
		return nil, err
	}
	for i := range events {
		events[i] = v.present(events[i])
	}
	return events, nil
}

func (v view) page(ctx context.Context, d *db.DB, f Filter) (Page, error) {
	c, err := decodeCursor(f.Cursor)
	if err != nil {
		return Page{}, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	var events []Event
	err = d.Tx(ctx, v.scope(), func(ctx context.Context, tx db.Tx) error {
		events, err = v.chunk(ctx, tx, f, c, f.Limit+1)
		return err
	})
	if err != nil {
		return Page{}, err
	}
	p := Page{Events: events}
	if len(events) > f.Limit {
		p.Events = events[:f.Limit]
		p.Next = encodeCursor(p.Events[f.Limit-1])
	}
	return p, nil
}

func (v view) get(ctx context.Context, d *db.DB, id int64) (Event, error) {
	var e Event
	err := d.Tx(ctx, v.scope(), func(ctx context.Context, tx db.Tx) error {
		q := tx.NewSelect().Model(&e).ColumnExpr("e.*").Where("e.id = ?", id)
		if v.platform {
			q = q.ColumnExpr("t.slug AS tenant_slug").Join("LEFT JOIN tenants AS t ON t.id = e.tenant_id")
		} else {
			q = q.Where("e.tenant_id = ?", v.tenant)
		}
		return q.Scan(ctx)
	})
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Event{}, ErrNotFound
		}
		return Event{}, err
	}
	return v.present(e), nil
}

// Events is a page of tenantID's own log.
func (s *Store) Events(ctx context.Context, tenantID uuid.UUID, f Filter, by actor.Actor) (Page, error) {
	v, err := tenantView(tenantID, by)
	if err != nil {
		return Page{}, err
	}
	return v.page(ctx, s.db, f)
}

// Event is one event of tenantID's own log; another tenant's is not found.
func (s *Store) Event(ctx context.Context, tenantID uuid.UUID, id int64, by actor.Actor) (Event, error) {
	v, err := tenantView(tenantID, by)
	if err != nil {
		return Event{}, err
	}
	return v.get(ctx, s.db, id)
}

// PlatformEvents is a page of the platform's log: every tenant's events
// and the platform's own, for platform admins.
func (s *Store) PlatformEvents(ctx context.Context, f Filter, by actor.Actor) (Page, error) {
	v, err := platformView(by)
	if err != nil {
		return Page{}, err
	}
	return v.page(ctx, s.db, f)
}

// PlatformEvent is one event of the platform's log.
func (s *Store) PlatformEvent(ctx context.Context, id int64, by actor.Actor) (Event, error) {
	v, err := platformView(by)
	if err != nil {
		return Event{}, err
	}
	return v.get(ctx, s.db, id)
}
