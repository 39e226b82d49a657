package tenants

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// Rolled is the outcome of a roll: the old key, whose expires_at is now
// the end of its grace, and its successor with its secret (shown once;
// empty for automatic rotation, whose successor is revealed later).
type Rolled struct {
	Old    APIKey
	New    APIKey
	Secret string
}

// RollAPIKey replaces a key the way Stripe rolls one: a successor with the
// same name, mode, scopes, limits and expiry policy, whose secret is
// returned once, while the old key keeps working for grace (0: it stops
// now), at most the workspace's maximum. A key is rolled once; a revoked
// or expired one not at all. Owners and admins, or a key with the keys
// scope that is not narrower than the key it rolls.
func (s *Store) RollAPIKey(ctx context.Context, tenantID, id uuid.UUID, grace time.Duration, by actor.Actor) (Rolled, error) {
	var out Rolled
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorizeSecret(ctx, tx, tenantID, by)
		if err != nil {
			return err
		}
		settings, err := settingsOf(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if err := checkGrace(grace, settings.MaxGrace()); err != nil {
			return err
		}
		old, err := keyOf(ctx, tx, tenantID, id, true)
		if err != nil {
			return err
		}
		if by.Kind == actor.KindAPIKey {
			roller, err := keyOf(ctx, tx, tenantID, by.APIKeyID, false)
			if err != nil {
				return err
			}
			if err := narrowerThan(roller, old); err != nil {
				return err
			}
		}
		if out, err = s.rollTx(ctx, tx, old, grace, settings.MaxLifetimeDays, true, by); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, audit.APIKeyRolled, "api_key", old.ID.String(), map[string]any{
			"prefix": old.Prefix, "successor_id": out.New.ID.String(), "successor_prefix": out.New.Prefix,
			"grace": grace.String(), "expires_at": out.Old.ExpiresAt,
		})
	})
	if err != nil {
		return Rolled{}, wrap("roll api key", err)
	}
	return out, nil
}

// rollTx makes old's successor and ends old's life after grace, in tx,
// with old read FOR UPDATE. The successor lives as many days as old was
// made for, within maxDays when the workspace now requires an expiry (a
// key made before the rule gets no exemption by being rolled).
// withSecret false leaves the successor without a secret until
// RevealAPIKey (automatic rotation mails no secret).
func (s *Store) rollTx(ctx context.Context, tx db.Tx, old APIKey, grace time.Duration, maxDays int, withSecret bool, by actor.Actor) (Rolled, error) {
	now := s.now()
	switch {
	case old.RolledAt != nil:
		return Rolled{}, ErrKeyRolled
	case old.RevokedAt != nil, old.ExpiresAt != nil && !old.ExpiresAt.After(now), old.Unrevealed():
		return Rolled{}, ErrKeyInactive
	}
	next := APIKey{TenantID: old.TenantID, Name: old.Name, Mode: old.Mode, Scopes: old.Scopes, LifetimeDays: old.LifetimeDays,
		RatePerMinute: old.RatePerMinute, DailyLimit: old.DailyLimit, MonthlyLimit: old.MonthlyLimit, RolledFrom: &old.ID}
	if by.Kind == actor.KindUser {
		next.CreatedBy = &by.UserID
	}
	if maxDays > 0 && (next.LifetimeDays == nil || *next.LifetimeDays > maxDays) {
		next.LifetimeDays = &maxDays
	}
	if next.LifetimeDays != nil {
		at := now.Add(time.Duration(*next.LifetimeDays) * 24 * time.Hour)
		next.ExpiresAt = &at
	}
	var out Rolled
	if withSecret {
		out.Secret, next.Prefix, next.KeyHash = newAPIKey(old.Mode)
	}
	if _, err := tx.NewInsert().Model(&next).Returning("*").Exec(ctx); err != nil {
		if isUniqueViolation(err, "api_keys_rolled_from_idx") {
			return Rolled{}, ErrKeyRolled
		}
		return Rolled{}, err
	}
	end := now.Add(grace)
	if old.ExpiresAt != nil && old.ExpiresAt.Before(end) {
		end = *old.ExpiresAt // a roll never lengthens a key's life
	}
	// expiry_notice restarts: the notices now count down to the grace's end.
	if err := tx.NewUpdate().Model(&old).Set("rolled_at = ?, expires_at = ?, expiry_notice = 0", now, end).
		Where("tenant_id = ? AND id = ?", old.TenantID, old.ID).Returning("*").Scan(ctx); err != nil {
		return Rolled{}, err
	}
	out.Old, out.New = old, next
	return out, nil
}

// RevealAPIKey makes the secret of a successor that automatic rotation
// left without one, and returns it: once, as a new key's. Owners and
// admins only (the secret never goes by mail or webhook).
func (s *Store) RevealAPIKey(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) (APIKey, string, error) {
	var k APIKey
	var raw string
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorizeSecret(ctx, tx, tenantID, by)
		if err != nil {
			return err
		}
		if k, err = keyOf(ctx, tx, tenantID, id, true); err != nil {
			return err
		}
		switch {
		case k.RevokedAt != nil, k.ExpiresAt != nil && !k.ExpiresAt.After(s.now()):
			return ErrKeyInactive
		case k.KeyHash != nil:
			return ErrKeyRevealed
		}
		var prefix string
		var hash []byte
		raw, prefix, hash = newAPIKey(k.Mode)
		if err := tx.NewUpdate().Model(&k).Set("key_hash = ?, prefix = ?", hash, prefix).
			Where("tenant_id = ? AND id = ? AND key_hash IS NULL", tenantID, id).Returning("*").Scan(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, audit.APIKeyRevealed, "api_key", id.String(), map[string]any{"prefix": prefix})
	})
	if err != nil {
		return APIKey{}, "", wrap("reveal api key", err)
	}
	return k, raw, nil
}

// SetKeyPolicy replaces the workspace's key policy (owners and admins).
// It applies to keys made and rolled from now on; rotation looks at every
// key on its next sweep.
func (s *Store) SetKeyPolicy(ctx context.Context, tenantID uuid.UUID, p KeyPolicy, by actor.Actor) (Tenant, error) {
	if err := p.check(); err != nil {
		return Tenant{}, err
	}
	var t Tenant
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
			return err
		}
		settings, err := settingsOf(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		settings.KeyPolicy = p
		if err := tx.NewUpdate().Model(&t).Set("settings = ?", settings).Set("updated_at = now()").
			Where("id = ?", tenantID).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.Record(ctx, tx, tenantID, by, audit.KeyPolicyChanged, "tenant", tenantID.String(), map[string]any{
			"max_lifetime_days": p.MaxLifetimeDays, "max_grace_hours": p.MaxGraceHours,
			"rotate_after_days": p.RotateAfterDays, "rotation_grace_hours": p.RotationGraceHours,
		})
	})
	return t, wrap("set key policy", err)
}
