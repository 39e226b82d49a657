package tenants

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/safetext"
)

// Keys of the old service had no mv_live_ shape; an imported one keeps
// working as it was, so its plaintext must be long enough to be a secret.
const (
	MinLegacyKeyChars = 20
	maxLegacyKeyChars = 256
)

// ErrLegacyKeyTooShort says an old key is too short to stay a secret.
var ErrLegacyKeyTooShort = fmt.Errorf("key too short: at least %d characters", MinLegacyKeyChars)

// legacyKeyShape reports whether raw could be a key of the old service:
// printable ASCII without spaces, of a secret's length. Only such a key
// is looked up by hash without the mv_live_/mv_test_ shape.
func legacyKeyShape(raw string) error {
	if len(raw) < MinLegacyKeyChars {
		return ErrLegacyKeyTooShort
	}
	if len(raw) > maxLegacyKeyChars {
		return ErrMalformedKey
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] <= ' ' || raw[i] > '~' {
			return ErrMalformedKey
		}
	}
	return nil
}

// ImportedKey is an old service's key to keep working.
type ImportedKey struct {
	Name      string
	Plaintext string // hashed here; never stored
	CreatedAt time.Time
	ExpiresAt *time.Time
}

// ImportAPIKey stores an old service's key as a live key of the tenant,
// in tx (a transaction of that tenant, the importer's): only its hash
// and a short prefix, flagged imported so the keys page asks for its
// rotation. The caller audits the import as a whole.
func ImportAPIKey(ctx context.Context, tx db.Tx, tenantID uuid.UUID, in ImportedKey) (APIKey, error) {
	raw := strings.TrimSpace(in.Plaintext)
	mode, err := ParseKeyMode(raw)
	if err != nil {
		if strings.HasPrefix(raw, "mv_") {
			return APIKey{}, err // ours, but malformed: it could never authenticate
		}
		if err := legacyKeyShape(raw); err != nil {
			return APIKey{}, err
		}
		mode = ModeLive
	}
	name := safetext.Truncate(strings.TrimSpace(in.Name), 100)
	if name == "" || checkText("key_name", name) != nil {
		name = "Imported key"
	}
	now := time.Now().UTC()
	created := in.CreatedAt
	if created.IsZero() {
		created = now
	}
	// The prefix shows 6 characters, as for our own keys: enough to tell
	// keys apart, far too few to guess the rest.
	k := APIKey{TenantID: tenantID, Name: name, Mode: mode, Prefix: raw[:6], KeyHash: HashToken(raw),
		CreatedAt: created, ExpiresAt: in.ExpiresAt, ImportedAt: &now, Scopes: DefaultScopes()}
	// DO NOTHING rather than an error: a unique violation would abort the
	// importer's transaction, which holds the whole file.
	res, err := tx.NewInsert().Model(&k).On("CONFLICT (key_hash) DO NOTHING").Returning("*").Exec(ctx)
	if err != nil {
		return APIKey{}, fmt.Errorf("import api key: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return APIKey{}, errors.Join(ErrKeyExists, err)
	}
	return k, nil
}

// ErrKeyExists says the key (its hash) is already stored, for this tenant
// or another: a key authenticates one tenant only.
var ErrKeyExists = errors.New("this key is already in use")
