package webhooks

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// DeliveryFilter chooses an endpoint's deliveries: a state ("" for any).
type DeliveryFilter struct {
	State string
	Limit int // 1–200, default 50
}

// Deliveries lists an endpoint's deliveries, newest first; State "dead"
// gives its dead letters.
func (s *Service) Deliveries(ctx context.Context, tenantID, endpointID uuid.UUID, f DeliveryFilter, by actor.Actor) ([]Delivery, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	out := []Delivery{}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var e Endpoint
		if err := getEndpoint(ctx, tx, tenantID, endpointID, &e); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT d.id, d.endpoint_id, d.event_id, ev.type, d.state, d.attempts, d.last_error, d.created_at, d.finished_at
			FROM webhook_deliveries d JOIN events ev ON ev.id = d.event_id
			WHERE d.tenant_id = ? AND d.endpoint_id = ? AND (? = '' OR d.state = ?)
			ORDER BY d.created_at DESC, d.id LIMIT ?`, tenantID, endpointID, f.State, f.State, f.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d Delivery
			if err := rows.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventType, &d.State, &d.Attempts, &d.LastError, &d.CreatedAt, &d.FinishedAt); err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// AttemptFilter chooses attempts: of one endpoint, optionally of one
// event, newest first.
type AttemptFilter struct {
	EventID string
	Limit   int // 1–200, default 50
}

// Attempts is an endpoint's delivery log, newest first.
func (s *Service) Attempts(ctx context.Context, tenantID, endpointID uuid.UUID, f AttemptFilter, by actor.Actor) ([]Attempt, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return nil, err
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 200)
	out := []Attempt{}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var e Endpoint
		if err := getEndpoint(ctx, tx, tenantID, endpointID, &e); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, delivery_id, endpoint_id, event_id, attempted_at, status, latency_ms,
				coalesce(response_headers, '{}'), response_body, error
			FROM webhook_attempts WHERE tenant_id = ? AND endpoint_id = ? AND (? = '' OR event_id = ?)
			ORDER BY id DESC LIMIT ?`, tenantID, endpointID, f.EventID, f.EventID, f.Limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a Attempt
			var headers []byte
			if err := rows.Scan(&a.ID, &a.DeliveryID, &a.EndpointID, &a.EventID, &a.AttemptedAt, &a.Status, &a.LatencyMS,
				&headers, &a.ResponseBody, &a.Error); err != nil {
				return err
			}
			if err := json.Unmarshal(headers, &a.ResponseHeaders); err != nil {
				return err
			}
			out = append(out, a)
		}
		return rows.Err()
	})
	return out, err
}

// Retry sends one dead letter again: the same delivery (its attempts so
// far stay in the log), the same event, the same webhook-id.
func (s *Service) Retry(ctx context.Context, tenantID, deliveryID uuid.UUID, by actor.Actor) error {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var ids []uuid.UUID
		if err := tx.NewRaw(`UPDATE webhook_deliveries SET state = 'pending', finished_at = NULL
			WHERE tenant_id = ? AND id = ? AND state = 'dead' RETURNING id`, tenantID, deliveryID).Scan(ctx, &ids); err != nil {
			return err
		}
		if len(ids) == 0 {
			var state string
			if err := tx.NewRaw(`SELECT state FROM webhook_deliveries WHERE tenant_id = ? AND id = ?`, tenantID, deliveryID).Scan(ctx, &state); err != nil {
				return ErrNotFound
			}
			return ErrNotDead
		}
		if err := s.queue(ctx, tx, tenantID, ids); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditDeliveryRetried, "webhook_delivery", deliveryID.String(), nil)
	})
}

// Recover sends again every dead letter of an endpoint made since the
// given time, as Retry does one. Returns how many.
func (s *Service) Recover(ctx context.Context, tenantID, endpointID uuid.UUID, since time.Time, by actor.Actor) (int, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return 0, err
	}
	var n int
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var e Endpoint
		if err := getEndpoint(ctx, tx, tenantID, endpointID, &e); err != nil {
			return err
		}
		var ids []uuid.UUID
		if err := tx.NewRaw(`UPDATE webhook_deliveries SET state = 'pending', finished_at = NULL
			WHERE tenant_id = ? AND endpoint_id = ? AND state = 'dead' AND created_at >= ? RETURNING id`, tenantID, endpointID, since).Scan(ctx, &ids); err != nil {
			return err
		}
		n = len(ids)
		if err := s.queue(ctx, tx, tenantID, ids); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditDeliveryRetried, auditTarget, endpointID.String(),
			map[string]any{"since": since.UTC().Format(time.RFC3339), "deliveries": n})
	})
	return n, err
}
