package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/safetext"
	"mailvet/webhooks/transport"
)

// Audit actions of endpoints.
const (
	AuditEndpointCreated  = "webhook_endpoint.created"
	AuditEndpointUpdated  = "webhook_endpoint.updated"
	AuditEndpointDeleted  = "webhook_endpoint.deleted"
	AuditEndpointRotated  = "webhook_endpoint.secret_rotated"
	AuditEndpointDisabled = "webhook_endpoint.disabled"
	// AuditEndpointConfirmed: an imported endpoint was enabled, which
	// confirms its URL.
	AuditEndpointConfirmed = "webhook_endpoint.import_confirmed"
	AuditDeliveryRetried   = "webhook_delivery.retried"
	AuditEventRedelivered  = "event.redelivered"
	auditTarget            = "webhook_endpoint"
	AuditTestSent          = "webhook_endpoint.test_sent"
)

// EndpointInput is what a create or an update sets: nil fields of an
// update stay as they are.
type EndpointInput struct {
	URL         *string
	Description *string
	Events      *[]string
	Enabled     *bool
}

// authorize: owners and admins manage endpoints; someone of another
// tenant finds nothing.
func authorize(by actor.Actor, tenantID uuid.UUID, min actor.Role) error {
	err := by.RequireIn(tenantID, min)
	if errors.Is(err, actor.ErrOtherTenant) {
		return ErrNotFound
	}
	return err
}

// check validates an input's fields (the URL by the SSRF guard's rules,
// with the networks the tenant may reach).
func (s *Service) check(ctx context.Context, tenantID uuid.UUID, in EndpointInput) error {
	if in.URL != nil {
		networks, err := s.tenantNetworks(ctx, tenantID)
		if err != nil {
			return err
		}
		if err := s.urls.CheckURL(ctx, *in.URL, networks); err != nil {
			return err
		}
	}
	if d := in.Description; d != nil && (utf8.RuneCountInString(*d) > 500 || safetext.HasControl(*d)) {
		return ErrInvalidDescription
	}
	if in.Events != nil {
		for _, t := range *in.Events {
			if !KnownType(t) {
				return fmt.Errorf("%w: %q", ErrUnknownEventType, t)
			}
		}
	}
	return nil
}

// inboundURL is where a CRM pushes addresses in for an endpoint.
func (s *Service) inboundURL(id uuid.UUID) string { return s.link("/v1/inbound/" + id.String()) }

// eventSet is an endpoint's event types sorted, each once, and never nil:
// an empty set (every type) is stored as '{}', not as NULL, which an
// update would read as "leave the types as they are".
func eventSet(types []string) []string {
	return append([]string{}, slices.Compact(slices.Sorted(slices.Values(types)))...)
}

// sealContext binds a sealed secret to its endpoint and purpose.
func sealContext(id uuid.UUID, purpose string) string {
	return "webhook_endpoint:" + id.String() + ":" + purpose
}

// Create makes an endpoint with new signing and inbound secrets, which the
// result shows this once. Owners and admins only; audited.
func (s *Service) Create(ctx context.Context, tenantID uuid.UUID, in EndpointInput, by actor.Actor) (Created, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return Created{}, err
	}
	if in.URL == nil {
		return Created{}, s.urls.CheckURL(ctx, "", nil)
	}
	if err := s.check(ctx, tenantID, in); err != nil {
		return Created{}, err
	}
	c := Created{Secret: transport.NewSecret(), InboundSecret: transport.NewSecret()}
	id := uuid.New()
	signing, err := s.sealer.Seal([]byte(c.Secret), sealContext(id, "signing"))
	if err != nil {
		return Created{}, err
	}
	inbound, err := s.sealer.Seal([]byte(c.InboundSecret), sealContext(id, "inbound"))
	if err != nil {
		return Created{}, err
	}
	events, description := []string{}, ""
	if in.Events != nil {
		events = eventSet(*in.Events)
	}
	if in.Description != nil {
		description = *in.Description
	}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if err := scanEndpoint(tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, secret, inbound_secret)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING `+endpointColumns, id, tenantID, *in.URL, description, textArray(events), signing, inbound), &c.Endpoint); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditEndpointCreated, auditTarget, id.String(),
			map[string]any{"url": c.URL, "events": c.Events})
	})
	c.InboundURL = s.inboundURL(id)
	return c, err
}

// List returns the tenant's endpoints, oldest first. Members may look.
func (s *Service) List(ctx context.Context, tenantID uuid.UUID, by actor.Actor) ([]Endpoint, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return nil, err
	}
	var out []Endpoint
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE tenant_id = ? ORDER BY created_at, id`, tenantID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e Endpoint
			if err := scanEndpoint(rows, &e); err != nil {
				return err
			}
			e.InboundURL = s.inboundURL(e.ID)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Get returns one of the tenant's endpoints.
func (s *Service) Get(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) (Endpoint, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return Endpoint{}, err
	}
	var e Endpoint
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return getEndpoint(ctx, tx, tenantID, id, &e)
	})
	e.InboundURL = s.inboundURL(e.ID)
	return e, err
}

// Update changes an endpoint's URL, description, event types or enabled
// state. Re-enabling clears the disabled reason and the failing clock.
func (s *Service) Update(ctx context.Context, tenantID, id uuid.UUID, in EndpointInput, by actor.Actor) (Endpoint, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return Endpoint{}, err
	}
	if err := s.check(ctx, tenantID, in); err != nil {
		return Endpoint{}, err
	}
	var events any
	if in.Events != nil {
		events = textArray(eventSet(*in.Events))
	}
	var e Endpoint
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var before Endpoint
		if err := getEndpoint(ctx, tx, tenantID, id, &before); err != nil {
			return err
		}
		if err := scanEndpoint(tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET url = coalesce(?, url), description = coalesce(?, description),
				event_types = coalesce(?::text[], event_types), enabled = coalesce(?, enabled),
				disabled_reason = CASE WHEN ? THEN NULL ELSE disabled_reason END,
				failing_since = CASE WHEN ? THEN NULL ELSE failing_since END,
				imported_unconfirmed = imported_unconfirmed AND NOT ?, updated_at = now()
			WHERE tenant_id = ? AND id = ? RETURNING `+endpointColumns,
			in.URL, in.Description, events, in.Enabled, enabling(in, before), enabling(in, before), enabling(in, before), tenantID, id), &e); err != nil {
			return err
		}
		if before.ImportedUnconfirmed && !e.ImportedUnconfirmed {
			if err := audit.Record(ctx, tx, tenantID, by, AuditEndpointConfirmed, auditTarget, id.String(), map[string]any{"url": e.URL}); err != nil {
				return err
			}
		}
		return audit.RecordChanges(ctx, tx, tenantID, by, AuditEndpointUpdated, auditTarget, id.String(), map[string]any{
			"before": map[string]any{"url": before.URL, "events": before.Events, "enabled": before.Enabled, "description": before.Description},
			"after":  map[string]any{"url": e.URL, "events": e.Events, "enabled": e.Enabled, "description": e.Description}},
			map[string]audit.Change{"url": {Before: before.URL, After: e.URL}, "events": {Before: before.Events, After: e.Events},
				"enabled": {Before: before.Enabled, After: e.Enabled}, "description": {Before: before.Description, After: e.Description}})
	})
	e.InboundURL = s.inboundURL(id)
	return e, err
}

// enabling reports whether an update turns a disabled endpoint on.
func enabling(in EndpointInput, before Endpoint) bool {
	return in.Enabled != nil && *in.Enabled && !before.Enabled
}

// Delete removes an endpoint, its deliveries and their attempts.
func (s *Service) Delete(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) error {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var url string
		err := tx.NewRaw(`DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ? RETURNING url`, tenantID, id).Scan(ctx, &url)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditEndpointDeleted, auditTarget, id.String(), map[string]any{"url": url})
	})
}

// Overlaps are the rotation overlaps offered: how long the old secret
// keeps signing beside the new one.
func Overlaps() map[string]time.Duration {
	return map[string]time.Duration{"now": 0, "1h": time.Hour, "24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour}
}

// Rotate gives an endpoint a new signing secret, shown this once; the old
// one signs every delivery too until the overlap ends ("now", "1h",
// "24h", "7d").
func (s *Service) Rotate(ctx context.Context, tenantID, id uuid.UUID, overlap string, by actor.Actor) (Created, error) {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return Created{}, err
	}
	d, ok := Overlaps()[overlap]
	if !ok {
		return Created{}, ErrBadOverlap
	}
	c := Created{Secret: transport.NewSecret()}
	signing, err := s.sealer.Seal([]byte(c.Secret), sealContext(id, "signing"))
	if err != nil {
		return Created{}, err
	}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		err := scanEndpoint(tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET
				previous_secret = CASE WHEN ? > 0 THEN secret END,
				previous_secret_until = CASE WHEN ? > 0 THEN now() + make_interval(secs => ?) END,
				secret = ?, updated_at = now()
			WHERE tenant_id = ? AND id = ? RETURNING `+endpointColumns, d.Seconds(), d.Seconds(), d.Seconds(), signing, tenantID, id), &c.Endpoint)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditEndpointRotated, auditTarget, id.String(), map[string]any{"overlap": overlap})
	})
	c.InboundURL = s.inboundURL(id)
	return c, err
}
