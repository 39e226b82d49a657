package tenants

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// keySecretBytes is the randomness in a key: 32 bytes, 43 characters.
const keySecretBytes = 32

// newAPIKey returns a key like mv_live_<43 chars>, its hash, and the short
// prefix shown in lists so people can tell their keys apart.
func newAPIKey(mode KeyMode) (raw, prefix string, hash []byte) {
	b := make([]byte, keySecretBytes)
	_, _ = rand.Read(b)
	raw = "mv_" + string(mode) + "_" + base64.RawURLEncoding.EncodeToString(b)
	return raw, raw[:len("mv_")+len(mode)+1+6], HashToken(raw)
}

// ParseKeyMode reports a key's mode from its shape, or ErrMalformedKey.
func ParseKeyMode(raw string) (KeyMode, error) {
	for _, m := range []KeyMode{ModeLive, ModeTest} {
		p := "mv_" + string(m) + "_"
		if strings.HasPrefix(raw, p) {
			secret, err := base64.RawURLEncoding.DecodeString(raw[len(p):])
			if err != nil || len(secret) != keySecretBytes {
				return "", ErrMalformedKey
			}
			return m, nil
		}
	}
	return "", ErrMalformedKey
}

// NewKeyInput describes a key to create.
type NewKeyInput struct {
	Name   string
	Mode   KeyMode
	Expiry Expiry // zero: never (unless the workspace requires an expiry)
	// Scopes: nil is DefaultScopes; made by a key, only those of them it
	// holds itself.
	Scopes []string
}

// CreateAPIKey makes a key and returns it with its secret, which is never
// available again. Owners and admins with a verified address, the
// operator, or a key with the keys scope, which can make no key with
// more power than its own (see narrowerThan) and whose limits the new
// key inherits.
func (s *Store) CreateAPIKey(ctx context.Context, tenantID uuid.UUID, in NewKeyInput, by actor.Actor) (APIKey, string, error) {
	if in.Mode != ModeLive && in.Mode != ModeTest {
		return APIKey{}, "", ErrMalformedKey
	}
	name := strings.TrimSpace(in.Name)
	if err := checkText("key_name", name); err != nil {
		return APIKey{}, "", err
	}
	askedScopes := in.Scopes != nil
	scopes, err := normalizeScopes(in.Scopes)
	if err != nil {
		return APIKey{}, "", err
	}
	raw, prefix, hash := newAPIKey(in.Mode)
	k := APIKey{TenantID: tenantID, Name: name, Mode: in.Mode, Prefix: prefix, KeyHash: hash, Scopes: scopes}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorizeSecret(ctx, tx, tenantID, by)
		if err != nil {
			return err
		}
		switch by.Kind {
		case actor.KindUser:
			k.CreatedBy = &by.UserID
		case actor.KindAPIKey:
			creator, err := keyOf(ctx, tx, tenantID, by.APIKeyID, false)
			if err != nil {
				return err
			}
			if !askedScopes { // the default, narrowed to what the creator holds
				k.Scopes = slices.DeleteFunc(k.Scopes, func(sc string) bool { return !creator.Allows(sc) })
			}
			k.RatePerMinute, k.DailyLimit, k.MonthlyLimit = creator.RatePerMinute, creator.DailyLimit, creator.MonthlyLimit
			if err := narrowerThan(creator, k); err != nil {
				return err
			}
		}
		settings, err := settingsOf(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		if k.ExpiresAt, k.LifetimeDays, err = in.Expiry.resolve(s.now(), settings.MaxLifetimeDays); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(&k).Returning("*").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, audit.APIKeyCreated, "api_key", k.ID.String(),
			map[string]any{"name": k.Name, "mode": k.Mode, "prefix": k.Prefix, "scopes": k.Scopes, "expires_at": k.ExpiresAt})
	})
	if err != nil {
		return APIKey{}, "", wrap("create api key", err)
	}
	return k, raw, nil
}

// narrowerThan refuses a key k that the key creator may not make (create
// or roll): one with a scope it lacks, a live key made by a test key, or
// a limit above its own (nil: the plan's, which is above any).
func narrowerThan(creator, k APIKey) error {
	for _, sc := range k.Scopes {
		if !creator.Allows(sc) {
			return fmt.Errorf("%w: a key cannot make a key with the %q scope, which it lacks itself", ErrInsufficientScope, sc)
		}
	}
	if creator.Mode == ModeTest && k.Mode != ModeTest {
		return fmt.Errorf("%w: a test key can only make test keys", ErrInsufficientScope)
	}
	for _, l := range []struct {
		name      string
		own, want *int
	}{{"rate_per_minute", creator.RatePerMinute, k.RatePerMinute}, {"daily_limit", creator.DailyLimit, k.DailyLimit}, {"monthly_limit", creator.MonthlyLimit, k.MonthlyLimit}} {
		if l.own != nil && (l.want == nil || *l.want > *l.own) {
			return fmt.Errorf("%w: a key cannot make a key with a higher %s than its own", ErrInsufficientScope, l.name)
		}
	}
	return nil
}

// authorizeSecret lets owners and admins (and keys, the operator) make a
// new key secret (created, rolled or revealed), and refuses a user who
// has not verified their address: secrets go to proven people only.
func authorizeSecret(ctx context.Context, tx db.Tx, tenantID uuid.UUID, by actor.Actor) (actor.Actor, error) {
	by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
	if err != nil || by.Kind != actor.KindUser {
		return by, err
	}
	var verified bool
	if err := tx.NewSelect().Model((*User)(nil)).ColumnExpr("email_verified_at IS NOT NULL").Where("id = ?", by.UserID).Scan(ctx, &verified); err != nil {
		return by, err
	}
	if !verified {
		return by, ErrEmailNotVerified
	}
	return by, nil
}

// keyOf reads one of the tenant's keys in tx, locked for update when the
// caller is about to change it.
func keyOf(ctx context.Context, tx db.Tx, tenantID, id uuid.UUID, lock bool) (APIKey, error) {
	var k APIKey
	q := tx.NewSelect().Model(&k).Where("tenant_id = ? AND id = ?", tenantID, id)
	if lock {
		q = q.For("UPDATE")
	}
	return k, notFound(q.Scan(ctx))
}

// settingsOf reads the tenant's settings in tx.
func settingsOf(ctx context.Context, tx db.Tx, tenantID uuid.UUID) (Settings, error) {
	var t Tenant
	err := tx.NewSelect().Model(&t).Column("settings").Where("id = ?", tenantID).Scan(ctx)
	return t.Settings, notFound(err)
}

// ListAPIKeys returns a tenant's keys, newest first, revoked ones last.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID uuid.UUID) ([]APIKey, error) {
	var keys []APIKey
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&keys).Where("tenant_id = ?", tenantID).
			OrderExpr("revoked_at IS NOT NULL, created_at DESC, id").Scan(ctx)
	})
	return keys, wrap("list api keys", err)
}

// APIKeyByID returns one of a tenant's keys.
func (s *Store) APIKeyByID(ctx context.Context, tenantID, id uuid.UUID) (APIKey, error) {
	var k APIKey
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		k, err = keyOf(ctx, tx, tenantID, id, false)
		return err
	})
	return k, wrap("api key by id", err)
}

// RevokeAPIKey stops a key from working, at once.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) (APIKey, error) {
	var k APIKey
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
			return err
		}
		if err := tx.NewUpdate().Model(&k).Set("revoked_at = coalesce(revoked_at, now())").
			Where("tenant_id = ? AND id = ?", tenantID, id).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.Record(ctx, tx, tenantID, by, audit.APIKeyRevoked, "api_key", id.String(), map[string]any{"prefix": k.Prefix})
	})
	return k, wrap("revoke api key", err)
}
