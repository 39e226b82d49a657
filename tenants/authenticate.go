package tenants

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"mailvet/db"
)

// The key look-up runs on every API request, so it is one statement on
// the system path (the key's tenant is what it finds) and, once a minute
// per key, a second one for last_used_at in the key's own tenant scope
// (it writes that tenant's row and no other's). Each runs alone, in one
// round trip with no BEGIN or COMMIT (db.QueryRow and db.Exec: the touch
// need not be atomic with the read), and both go to pgx with bind
// parameters ($1…) rather than through bun, which would inline the key's
// hash and make every key's query new to PostgreSQL: this way each
// connection prepares them once. The columns are listed and scanned by
// hand for the same reason.
const (
	authenticateKeySQL = `SELECT k.id, k.tenant_id, k.name, k.mode, k.prefix, k.created_by, k.created_at,
		k.last_used_at, k.expires_at, k.revoked_at, k.rate_per_minute, k.daily_limit, k.monthly_limit, k.imported_at,
		k.scopes, k.lifetime_days, k.rolled_from, k.rolled_at, k.expiry_notice, t.name, t.slug, t.status, t.settings, t.operator_settings, t.created_at, t.updated_at
	FROM api_keys AS k JOIN tenants AS t ON t.id = k.tenant_id
	WHERE k.key_hash = $1`

	// touchKeySQL writes last_used_at at most once per KeyTouchEvery, so a
	// busy key does not turn every request into a row update.
	touchKeySQL = `UPDATE api_keys SET last_used_at = now()
	WHERE id = $1 AND tenant_id = $2 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $3))`
)

// AuthenticateKey resolves a presented key to its tenant. The reason a key
// is refused is returned as one of the Err*Key / ErrTenantSuspended errors.
func (s *Store) AuthenticateKey(ctx context.Context, raw string) (APIKey, Tenant, error) {
	mode, err := ParseKeyMode(raw)
	if err != nil {
		// A key of the old service (ImportAPIKey) has no mv_ shape: it is
		// looked up by hash like ours and stored as live, so the mode check
		// below holds for it too.
		if strings.HasPrefix(raw, "mv_") || legacyKeyShape(raw) != nil {
			return APIKey{}, Tenant{}, err
		}
		mode = ModeLive
	}
	hash := HashToken(raw)
	var k APIKey
	var t Tenant
	scope := db.System("find an API key by its hash: its tenant is what is being found")
	err = func() error {
		var settings, operator []byte
		err := s.db.QueryRow(ctx, scope, authenticateKeySQL, hash).Scan(
			&k.ID, &k.TenantID, &k.Name, &k.Mode, &k.Prefix, &k.CreatedBy, &k.CreatedAt,
			&k.LastUsedAt, &k.ExpiresAt, &k.RevokedAt, &k.RatePerMinute, &k.DailyLimit, &k.MonthlyLimit, &k.ImportedAt,
			&k.Scopes, &k.LifetimeDays, &k.RolledFrom, &k.RolledAt, &k.ExpiryNotice, &t.Name, &t.Slug, &t.Status, &settings, &operator, &t.CreatedAt, &t.UpdatedAt)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return ErrUnknownKey
		case err != nil:
			return err
		}
		k.KeyHash, t.ID = hash, k.TenantID
		if err := json.Unmarshal(settings, &t.Settings); err != nil {
			return fmt.Errorf("tenant settings: %w", err)
		}
		if err := json.Unmarshal(operator, &t.Operator); err != nil {
			return fmt.Errorf("tenant operator settings: %w", err)
		}
		switch {
		case k.Mode != mode: // the mode column and the key's prefix always agree
			return ErrUnknownKey
		case k.RevokedAt != nil:
			return ErrKeyRevoked
		case k.ExpiresAt != nil && !k.ExpiresAt.After(s.now()):
			return ErrKeyExpired
		case !t.Active():
			return ErrTenantSuspended
		}
		if k.LastUsedAt == nil || time.Since(*k.LastUsedAt) > s.opts.KeyTouchEvery {
			_, err = s.db.Exec(ctx, db.Tenant(k.TenantID), touchKeySQL, k.ID, k.TenantID, s.opts.KeyTouchEvery.Seconds())
		}
		return err
	}()
	switch {
	case err == nil:
		return k, t, nil
	case errors.Is(err, ErrUnknownKey):
		return APIKey{}, Tenant{}, err
	case errors.Is(err, ErrKeyRevoked), errors.Is(err, ErrKeyExpired):
		return k, Tenant{}, err
	case errors.Is(err, ErrTenantSuspended):
		return k, t, err
	}
	return APIKey{}, Tenant{}, fmt.Errorf("authenticate api key: %w", err)
}
