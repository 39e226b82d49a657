package tenants

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
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
func (s *Store) CreateAPIKey(ctx context.Context, tenantID uuid.UUID, in NewKeyInput, actor audit.Actor) (APIKey, string, error) {
	if in.Mode != ModeLive && in.Mode != ModeTest {
		return APIKey{}, "", ErrMalformedKey
	}
	raw, prefix, hash := newAPIKey(in.Mode)
	k := APIKey{TenantID: tenantID, Name: strings.TrimSpace(in.Name), Mode: in.Mode, Prefix: prefix, KeyHash: hash, ExpiresAt: in.ExpiresAt}
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		if actor.UserID != uuid.Nil {
			var verified bool
			if err := tx.NewSelect().Model((*User)(nil)).ColumnExpr("email_verified_at IS NOT NULL").Where("id = ?", actor.UserID).Scan(ctx, &verified); err != nil {
				return err
			}
			if !verified {
				return ErrEmailNotVerified
			}
			k.CreatedBy = &actor.UserID
		}
		if _, err := tx.NewInsert().Model(&k).Returning("*").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.APIKeyCreated, "api_key", k.ID.String(),
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
	err := s.db.NewSelect().Model(&keys).Where("tenant_id = ?", tenantID).
		OrderExpr("revoked_at IS NOT NULL, created_at DESC").Scan(ctx)
	return keys, err
}

// APIKeyByID returns one of a tenant's keys.
func (s *Store) APIKeyByID(ctx context.Context, tenantID, id uuid.UUID) (APIKey, error) {
	var k APIKey
	err := s.db.NewSelect().Model(&k).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
	return k, notFound(err)
}

// RevokeAPIKey stops a key from working, at once.
func (s *Store) RevokeAPIKey(ctx context.Context, tenantID, id uuid.UUID, actor audit.Actor) (APIKey, error) {
	var k APIKey
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		if err := tx.NewUpdate().Model(&k).Set("revoked_at = coalesce(revoked_at, now())").
			Where("tenant_id = ? AND id = ?", tenantID, id).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.APIKeyRevoked, "api_key", id.String(), map[string]any{"prefix": k.Prefix})
	})
	return k, wrap("revoke api key", err)
}

// authenticateKeySQL takes the key's hash as a bind parameter, so it is one
// statement that each connection prepares once, whatever the key (bun
// would inline the hash, making every key's query new to PostgreSQL).
const authenticateKeySQL = `SELECT api_key.*, t.id AS tenant__id, t.name AS tenant__name, t.slug AS tenant__slug,
		t.status AS tenant__status, t.settings AS tenant__settings, t.created_at AS tenant__created_at, t.updated_at AS tenant__updated_at
	FROM api_keys AS api_key JOIN tenants AS t ON t.id = api_key.tenant_id
	WHERE api_key.key_hash = $1`

// AuthenticateKey resolves a presented key to its tenant. The reason a key
// is refused is returned as one of the Err*Key / ErrTenantSuspended errors.
func (s *Store) AuthenticateKey(ctx context.Context, raw string) (APIKey, Tenant, error) {
	if _, err := ParseKeyMode(raw); err != nil {
		return APIKey{}, Tenant{}, err
	}
	// One round trip for the key and its tenant: this runs on every API
	// request.
	var row struct {
		APIKey `bun:",extend"`
		Tenant Tenant `bun:"tenant,embed:tenant__"`
	}
	rows, err := s.db.DB.QueryContext(ctx, authenticateKeySQL, HashToken(raw))
	if err != nil {
		return APIKey{}, Tenant{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return APIKey{}, Tenant{}, err
		}
		return APIKey{}, Tenant{}, ErrUnknownKey
	}
	if err := s.db.ScanRow(ctx, rows, &row); err != nil {
		return APIKey{}, Tenant{}, err
	}
	rows.Close() // give the connection back before touching last_used_at
	k, t := row.APIKey, row.Tenant
	switch {
	case k.RevokedAt != nil:
		return k, Tenant{}, ErrKeyRevoked
	case k.ExpiresAt != nil && !k.ExpiresAt.After(time.Now()):
		return k, Tenant{}, ErrKeyExpired
	case !t.Active():
		return k, t, ErrTenantSuspended
	}
	// last_used_at is written at most once per KeyTouchEvery, so a busy key
	// does not turn every request into a row update.
	if k.LastUsedAt == nil || time.Since(*k.LastUsedAt) > s.opts.KeyTouchEvery {
		_, err = s.db.NewUpdate().Model((*APIKey)(nil)).Set("last_used_at = now()").
			Where("id = ? AND (last_used_at IS NULL OR last_used_at < now() - ?::interval)", k.ID, s.opts.KeyTouchEvery.String()).
			Exec(ctx)
	}
	return k, t, err
}
