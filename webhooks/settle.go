package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/mail"
)

func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// settle records an attempt and its consequences in one transaction: the
// attempt in the log, the delivery delivered, still pending or (dead) a
// dead letter, the endpoint's failing clock, and the endpoint disabled
// when it answered 410 Gone or has failed for DisableAfter.
func (d *Deliverer) settle(ctx context.Context, args DeliverArgs, t target, rec attemptRecord, dead bool) error {
	err := d.settleTx(ctx, args, t, rec, dead)
	if err == nil {
		d.observe(rec, dead)
	}
	return err
}

func (d *Deliverer) settleTx(ctx context.Context, args DeliverArgs, t target, rec attemptRecord, dead bool) error {
	s := d.svc
	return s.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		if rec.sent {
			// The endpoint's row first, in the mode this transaction takes
			// it in at the end (its failing clock): taken weaker first (the
			// attempt's reference to it) and stronger later, it deadlocked
			// with the endpoint's delete, which waited for the first lock
			// while this transaction waited behind the delete for the second.
			if _, err := tx.ExecContext(ctx, `SELECT 1 FROM webhook_endpoints WHERE tenant_id = ? AND id = ? FOR NO KEY UPDATE`,
				args.TenantID, t.endpointID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_attempts (tenant_id, delivery_id, endpoint_id, event_id, status, latency_ms,
					response_headers, response_body, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, nullif(?, ''))`,
				args.TenantID, args.DeliveryID, t.endpointID, t.eventID, rec.status, rec.latencyMS, nullJSON(rec.headers), rec.body, rec.err); err != nil {
				return err
			}
		}
		state := StatePending
		switch {
		case rec.ok:
			state = StateDelivered
		case dead:
			state = StateDead
		}
		attempted := 0
		if rec.sent {
			attempted = 1
		}
		if _, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = ?, attempts = attempts + ?, last_error = nullif(?, ''),
				finished_at = CASE WHEN ? <> 'pending' THEN now() END
			WHERE tenant_id = ? AND id = ? AND state = 'pending'`, state, attempted, rec.err, state, args.TenantID, args.DeliveryID); err != nil {
			return err
		}
		if !rec.sent {
			return nil
		}
		if rec.ok {
			_, err := tx.ExecContext(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE tenant_id = ? AND id = ? AND failing_since IS NOT NULL`,
				args.TenantID, t.endpointID)
			return err
		}
		var failingSince time.Time
		if err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, now())
			WHERE tenant_id = ? AND id = ? RETURNING failing_since`, args.TenantID, t.endpointID).Scan(&failingSince); err != nil {
			return err
		}
		var reason string
		switch {
		case rec.gone:
			reason = "it answered 410 Gone"
		case s.now().Sub(failingSince) >= s.opts.DisableAfter:
			reason = fmt.Sprintf("every delivery failed for %s, since %s", humanDays(s.opts.DisableAfter), failingSince.UTC().Format("2 Jan 2006 15:04 UTC"))
		default:
			return nil
		}
		if err := s.disable(ctx, tx, args.TenantID, t.endpointID, reason); err != nil {
			return err
		}
		// The delivery that disabled its endpoint is a dead letter now, not
		// when its retry comes round: recovering right after enabling the
		// endpoint must find it. (Other pending deliveries keep their jobs,
		// which find the endpoint disabled, or enabled again, and act on it.)
		_, err := tx.ExecContext(ctx, `UPDATE webhook_deliveries SET state = 'dead', finished_at = now()
			WHERE tenant_id = ? AND id = ? AND state = 'pending'`, args.TenantID, args.DeliveryID)
		return err
	})
}

func nullJSON(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

func humanDays(d time.Duration) string {
	if days := int(d / (24 * time.Hour)); days >= 1 && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", days)
	}
	return d.String()
}

// disable turns an endpoint off in tx with the reason, records
// webhook_endpoint.disabled (for the tenant's other endpoints), and mails
// its owners and admins. Its pending deliveries become dead letters as
// their jobs come round, to be recovered once it is enabled again.
func (s *Service) disable(ctx context.Context, tx db.Tx, tenantID, endpointID uuid.UUID, reason string) error {
	var url string
	err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoints SET enabled = false, disabled_reason = ?, updated_at = now()
		WHERE tenant_id = ? AND id = ? AND enabled RETURNING url`, reason, tenantID, endpointID).Scan(&url)
	if noRows(err) {
		return nil // disabled already
	}
	if err != nil {
		return err
	}
	if _, err := s.Record(ctx, tx, tenantID, EndpointDisabled, EndpointData{EndpointID: endpointID.String(), URL: url, Reason: reason}); err != nil {
		return err
	}
	if err := audit.Record(ctx, tx, tenantID, actor.System("webhooks.deliver"), AuditEndpointDisabled, auditTarget, endpointID.String(),
		map[string]any{"url": url, "reason": reason}); err != nil {
		return err
	}
	if s.mail == nil {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.tenant_id = ? AND m.role IN (?, ?)`, tenantID, string(actor.RoleOwner), string(actor.RoleAdmin))
	if err != nil {
		return err
	}
	var to []string
	for rows.Next() {
		var email string
		if err := rows.Scan(&email); err != nil {
			rows.Close()
			return err
		}
		to = append(to, email)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, addr := range to {
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, mail.Message{To: addr, Subject: "A mailvet webhook endpoint was disabled",
			Text: fmt.Sprintf("The webhook endpoint %s was disabled because %s.\n\nDeliveries since are kept as dead letters. Fix the receiver, enable the endpoint again and recover what it missed:\n\n%s\n",
				url, reason, s.link("/webhooks/"+endpointID.String()))}); err != nil {
			return err
		}
	}
	return nil
}
