package webhooks

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// EventFilter chooses events: a type, a time range, and where the last
// page ended (Cursor).
type EventFilter struct {
	Type         string
	Since, Until *time.Time
	Cursor       string
	Limit        int // 1–100, default 50
}

// EventPage is a page of events, newest first, and the next page's cursor.
type EventPage struct {
	Events []EventView `json:"events"`
	Next   string      `json:"next_cursor,omitempty"`
}

// EventView is an event as the API shows it: its payload's fields.
type EventView struct {
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"created_at"`
	Data      json.RawMessage `json:"data"`
}

// ErrBadCursor: the cursor is not one a page gave.
var ErrBadCursor = errors.New("invalid cursor")

func encodeCursor(at time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(at.UTC().Format(time.RFC3339Nano) + "|" + id))
}

func decodeCursor(c string) (time.Time, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return time.Time{}, "", ErrBadCursor
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil || !strings.HasPrefix(id, "evt_") {
		return time.Time{}, "", ErrBadCursor
	}
	return t, id, nil
}

// Events lists the tenant's events, newest first, so that a CRM that was
// down can fetch what it missed.
func (s *Service) Events(ctx context.Context, tenantID uuid.UUID, f EventFilter, by actor.Actor) (EventPage, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return EventPage{}, err
	}
	if f.Type != "" && !KnownType(f.Type) {
		return EventPage{}, ErrUnknownEventType
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 100)
	var afterAt *time.Time
	afterID := ""
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return EventPage{}, err
		}
		afterAt, afterID = &at, id
	}
	page := EventPage{Events: []EventView{}}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, type, created_at, payload FROM events
			WHERE tenant_id = ? AND (?::text = '' OR type = ?) AND (?::timestamptz IS NULL OR created_at >= ?)
			  AND (?::timestamptz IS NULL OR created_at < ?) AND (?::timestamptz IS NULL OR (created_at, id) < (?, ?))
			ORDER BY created_at DESC, id DESC LIMIT ?`,
			tenantID, f.Type, f.Type, f.Since, f.Since, f.Until, f.Until, afterAt, afterAt, afterID, f.Limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e EventView
			var body string
			if err := rows.Scan(&e.ID, &e.Type, &e.CreatedAt, &body); err != nil {
				return err
			}
			// The data as delivered, byte for byte (jsonb would reorder it).
			var p struct{ Data json.RawMessage }
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				return err
			}
			e.Data = p.Data
			page.Events = append(page.Events, e)
		}
		return rows.Err()
	})
	if err != nil {
		return EventPage{}, err
	}
	if len(page.Events) > f.Limit {
		page.Events = page.Events[:f.Limit]
		last := page.Events[f.Limit-1]
		page.Next = encodeCursor(last.CreatedAt, last.ID)
	}
	return page, nil
}

// Redeliver sends an event again to every enabled endpoint that wants its
// type, as new deliveries of the same event: the same body and the same
// webhook-id, so a receiver that dedupes on it does the work once.
// Returns how many deliveries it queued.
func (s *Service) Redeliver(ctx context.Context, tenantID uuid.UUID, eventID string, by actor.Actor) (int, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return 0, err
	}
	var n int
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var deliveries []uuid.UUID
		if err := tx.NewRaw(`INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id)
			SELECT gen_random_uuid(), e.tenant_id, e.id, ev.id FROM events ev JOIN webhook_endpoints e ON e.tenant_id = ev.tenant_id
			WHERE ev.tenant_id = ? AND ev.id = ? AND e.enabled AND (e.event_types = '{}' OR ev.type = ANY (e.event_types))
			RETURNING id`, tenantID, eventID).Scan(ctx, &deliveries); err != nil {
			return err
		}
		if len(deliveries) == 0 {
			var exists bool
			if err := tx.NewRaw(`SELECT EXISTS (SELECT 1 FROM events WHERE tenant_id = ? AND id = ?)`, tenantID, eventID).Scan(ctx, &exists); err != nil {
				return err
			}
			if !exists {
				return ErrNotFound
			}
		}
		n = len(deliveries)
		if err := s.queue(ctx, tx, tenantID, deliveries); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditEventRedelivered, "event", eventID, map[string]any{"deliveries": n})
	})
	return n, err
}
