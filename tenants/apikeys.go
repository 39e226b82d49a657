package tenants

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

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
	Name      string
	Mode      KeyMode
	ExpiresAt *time.Time
}

// CreateAPIKey makes a key and returns it with its secret, which is never
// available again. Owners and admins with a verified address only.
func (s *Store) CreateAPIKey(ctx context.Context, tenantID uuid.UUID, in NewKeyInput, by actor.Actor) (APIKey, string, error) {
	if in.Mode != ModeLive && in.Mode != ModeTest {
		return APIKey{}, "", ErrMalformedKey
	}
	name := strings.TrimSpace(in.Name)
	if err := checkText("key_name", name); err != nil {
		return APIKey{}, "", err
	}
	raw, prefix, hash := newAPIKey(in.Mode)
	k := APIKey{TenantID: tenantID, Name: name, Mode: in.Mode, Prefix: prefix, KeyHash: hash, ExpiresAt: in.ExpiresAt}
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
			return err
		}
		if by.Kind == actor.KindUser {
			var verified bool
			if err := tx.NewSelect().Model((*User)(nil)).ColumnExpr("email_verified_at IS NOT NULL").Where("id = ?", by.UserID).Scan(ctx, &verified); err != nil {
				return err
			}
			if !verified {
				return ErrEmailNotVerified
			}
			k.CreatedBy = &by.UserID
		}
		if _, err := tx.NewInsert().Model(&k).Returning("*").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, audit.APIKeyCreated, "api_key", k.ID.String(),
			map[string]any{"name": k.Name, "mode": k.Mode, "prefix": k.Prefix})
	})
	if err != nil {
		return APIKey{}, "", wrap("create api key", err)
	}
	return k, raw, nil
}

// ListAPIKeys returns a tenant's keys, newest first, revoked ones last.
func (s *Store) ListAPIKeys(ctx context.Context, tenantID uuid.UUID) ([]APIKey, error) {
	var keys []APIKey
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&keys).Where("tenant_id = ?", tenantID).
			OrderExpr("revoked_at IS NOT NULL, created_at DESC").Scan(ctx)
	})
	return keys, wrap("list api keys", err)
}

// APIKeyByID returns one of a tenant's keys.
func (s *Store) APIKeyByID(ctx context.Context, tenantID, id uuid.UUID) (APIKey, error) {
	var k APIKey
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return notFound(tx.NewSelect().Model(&k).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx))
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
