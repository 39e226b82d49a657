package platform

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
)

// DeadLetter is a delivery whose every attempt failed, in any tenant.
type DeadLetter struct {
	ID          uuid.UUID  `bun:"id"`
	TenantID    uuid.UUID  `bun:"tenant_id"`
	TenantName  string     `bun:"tenant_name"`
	EndpointID  uuid.UUID  `bun:"endpoint_id"`
	EndpointURL string     `bun:"endpoint_url"`
	EventID     string     `bun:"event_id"`
	EventType   string     `bun:"event_type"`
	Attempts    int        `bun:"attempts"`
	LastError   string     `bun:"last_error"`
	FinishedAt  *time.Time `bun:"finished_at"`
}

// DeadLetters lists the latest dead letters across tenants (at most
// limit, 1–200, default 100), newest first; tenantID narrows them to one
// tenant when not zero.
func (s *Service) DeadLetters(ctx context.Context, tenantID uuid.UUID, limit int, by actor.Actor) ([]DeadLetter, error) {
	if limit <= 0 || limit > 200 {
		limit = 100
	}
	var out []DeadLetter
	err := s.read(ctx, by, "dead letters across tenants", func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT d.id, d.tenant_id, t.name AS tenant_name, d.endpoint_id, e.url AS endpoint_url, d.event_id,
				ev.type AS event_type, d.attempts, coalesce(d.last_error, '') AS last_error, d.finished_at
			FROM webhook_deliveries d JOIN tenants t ON t.id = d.tenant_id
			JOIN webhook_endpoints e ON e.id = d.endpoint_id JOIN events ev ON ev.id = d.event_id
			WHERE d.state = 'dead' AND (? = '00000000-0000-0000-0000-000000000000'::uuid OR d.tenant_id = ?)
			ORDER BY d.finished_at DESC NULLS LAST, d.id LIMIT ?`, tenantID, tenantID, limit).Scan(ctx, &out)
	})
	return out, err
}
