package tenants

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"

	// The zones must resolve the same on every machine (see schedules).
	_ "time/tzdata"
)

// CheckTimeZone refuses a name that is not an IANA time zone (an
// *InputError on time_zone), so that a form can check it before it
// changes anything.
func CheckTimeZone(zone string) error {
	if zone == "" || zone == "Local" || len(zone) > 64 {
		return &InputError{Field: "time_zone", Reason: "not a time zone; use a name such as Europe/Paris or America/New_York"}
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return &InputError{Field: "time_zone", Reason: "not a time zone; use a name such as Europe/Paris or America/New_York"}
	}
	return nil
}

// SetTimeZone sets the workspace's time zone, the one its list schedules
// run in unless they name their own (an owner's or an admin's call).
func (s *Store) SetTimeZone(ctx context.Context, tenantID uuid.UUID, zone string, by actor.Actor) error {
	if err := CheckTimeZone(zone); err != nil {
		return err
	}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE tenants SET time_zone = ?, updated_at = now() WHERE id = ? AND time_zone IS DISTINCT FROM ?`, zone, tenantID, zone)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // unchanged: nothing to audit
		}
		return audit.Record(ctx, tx, tenantID, by, audit.TenantUpdated, "tenant", tenantID.String(), map[string]any{"time_zone": zone})
	})
	return wrap("set time zone", err)
}
