package importjson

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/tenants"
)

// keysFile is API auth's api_keys.json. A key is imported only when the
// file holds its plaintext: its hash is stored (the plaintext never is),
// so the old key keeps working, flagged for rotation. A record with only
// a hash is skipped: the old service's hashing cannot be checked here.
func keysFile() file {
	return file{
		name: "api_keys.json", target: "api_key", batch: 100,
		parse: func(rec Record) (any, error) {
			f := rec.Fields
			raw, ok := f.String("key", "api_key", "token", "plaintext", "secret")
			if !ok || raw == "" {
				if _, hashed := f.String("key_hash", "hashed_key", "hash"); hashed {
					return nil, errors.New("only a hash of the key, no plaintext: issue the client a new key")
				}
				return nil, errors.New("missing key (no key, api_key or token field)")
			}
			if len(raw) < tenants.MinLegacyKeyChars {
				return nil, fmt.Errorf("key too short (%d characters, at least %d): issue the client a new key", len(raw), tenants.MinLegacyKeyChars)
			}
			if active, ok := f.Bool("active", "enabled", "is_active"); ok && !active {
				return nil, errors.New("inactive in the old service")
			}
			if revoked, ok := f.Bool("revoked", "is_revoked"); ok && revoked {
				return nil, errors.New("revoked in the old service")
			}
			k := tenants.ImportedKey{Plaintext: raw}
			k.Name, _ = f.String("name", "label", "description", "client", "owner")
			created, err := f.Time("created_at", "created", "issued_at")
			if err != nil && !errors.Is(err, errNoTime) {
				return nil, err
			}
			k.CreatedAt = created
			switch exp, err := f.Expiry("expires_at", "expires"); {
			case err == nil && !exp.After(time.Now()):
				return nil, errors.New("expired in the old service")
			case err == nil:
				k.ExpiresAt = &exp
			case !errors.Is(err, errNoTime):
				return nil, err
			}
			return k, nil
		},
		write: func(ctx context.Context, tx db.Tx, tenantID uuid.UUID, items []item, _ *FileReport) ([]outcome, error) {
			out := make([]outcome, len(items))
			for i, it := range items {
				k, err := tenants.ImportAPIKey(ctx, tx, tenantID, it.value.(tenants.ImportedKey))
				switch {
				case errors.Is(err, tenants.ErrKeyExists), errors.Is(err, tenants.ErrLegacyKeyTooShort), errors.Is(err, tenants.ErrMalformedKey):
					out[i].skip = err
				case err != nil:
					return nil, err
				default:
					out[i].target = k.ID.String()
				}
			}
			return out, nil
		},
	}
}
