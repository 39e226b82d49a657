// Package secretbox seals small secrets (webhook signing secrets) before
// they are stored, with AES-256-GCM under a ring of named keys, so a
// database dump alone does not reveal them and keys can be rotated
// without re-sealing every row at once.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// formatVersion is the first byte of every sealed value, so a later format
// (another cipher, a longer nonce) can be told apart from this one.
const formatVersion = 1

// keySize is the AES-256 key length.
const keySize = 32

// maxIDLength keeps the id within its one length byte and short enough to
// be worth storing beside every value.
const maxIDLength = 64

var (
	// ErrUnknownKey means the value names a key the ring does not hold: an
	// old key was dropped from MAILVET_SECRET_KEY too early, or the value
	// comes from another installation.
	ErrUnknownKey = errors.New("secretbox: sealed with a key that is not in the key ring")
	// ErrOpen means the value was altered, truncated, or is being opened
	// under another context than it was sealed with.
	ErrOpen = errors.New("secretbox: cannot open sealed value")
)

// Keyring holds the keys of MAILVET_SECRET_KEY: the first seals, any opens.
type Keyring struct {
	currentID string
	aeads     map[string]cipher.AEAD
}

// ParseKeyring reads "id:base64key,id2:base64key2" (each key 32 bytes in
// standard base64). Errors name the entry and its id but never any key
// material, because they end up in logs.
func ParseKeyring(s string) (*Keyring, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("secret key ring is empty: want id:base64key[,id2:base64key2…]")
	}
	ring := &Keyring{aeads: map[string]cipher.AEAD{}}
	for i, entry := range strings.Split(s, ",") {
		n := i + 1
		id, encoded, ok := strings.Cut(strings.TrimSpace(entry), ":")
		if !ok {
			return nil, fmt.Errorf("secret key ring entry %d is not id:base64key", n)
		}
		if err := checkID(id); err != nil {
			return nil, fmt.Errorf("secret key ring entry %d: %w", n, err)
		}
		if _, dup := ring.aeads[id]; dup {
			return nil, fmt.Errorf("secret key ring entry %d: id %q is used twice", n, id)
		}
		key, err := base64.StdEncoding.DecodeString(encoded)
		if err != nil {
			return nil, fmt.Errorf("secret key ring entry %d (id %q): key is not valid standard base64", n, id)
		}
		if len(key) != keySize {
			return nil, fmt.Errorf("secret key ring entry %d (id %q): key is %d bytes, want %d (openssl rand -base64 32)", n, id, len(key), keySize)
		}
		aead, err := newAEAD(key)
		if err != nil {
			return nil, fmt.Errorf("secret key ring entry %d (id %q): %w", n, id, err)
		}
		ring.aeads[id] = aead
		if n == 1 {
			ring.currentID = id
		}
	}
	return ring, nil
}

// checkID keeps ids to characters that cannot be confused with the ring's
// separators or with whitespace.
func checkID(id string) error {
	if id == "" {
		return errors.New("key id is empty")
	}
	if len(id) > maxIDLength {
		return fmt.Errorf("key id is longer than %d characters", maxIDLength)
	}
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return fmt.Errorf("key id %q may hold only letters, digits, '-', '_' and '.'", id)
		}
	}
	return nil
}

// newAEAD uses GCM with a random 96-bit nonce that the AEAD itself draws
// and prefixes to the ciphertext, so no caller can ever reuse a nonce. The
// random-nonce bound (about 2^32 values a key) is far beyond the number of
// secrets sealed before a rotation.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("AES key: %w", err)
	}
	aead, err := cipher.NewGCMWithRandomNonce(block)
	if err != nil {
		return nil, fmt.Errorf("AES-GCM: %w", err)
	}
	return aead, nil
}

// CurrentID is the id of the key new values are sealed with.
func (k *Keyring) CurrentID() string { return k.currentID }

// Seal encrypts plain with the current key. The output names its key:
// version (1 byte), id length (1 byte), id, 12-byte nonce, ciphertext and
// 16-byte tag. The header and context are the additional data, so a value
// copied to another row or purpose (another context) does not open.
func (k *Keyring) Seal(plain []byte, context string) ([]byte, error) {
	aead, ok := k.aeads[k.currentID]
	if !ok {
		return nil, errors.New("secretbox: key ring has no current key")
	}
	header := sealedHeader(k.currentID)
	out := make([]byte, len(header), len(header)+aead.Overhead()+len(plain))
	copy(out, header)
	return aead.Seal(out, nil, plain, additionalData(header, context)), nil
}

// Open decrypts a value made by Seal with any key of the ring.
func (k *Keyring) Open(sealed []byte, context string) ([]byte, error) {
	if len(sealed) < 2 {
		return nil, fmt.Errorf("%w: value is too short", ErrOpen)
	}
	if sealed[0] != formatVersion {
		return nil, fmt.Errorf("%w: unknown format version %d", ErrOpen, sealed[0])
	}
	idLength := int(sealed[1])
	if len(sealed) < 2+idLength {
		return nil, fmt.Errorf("%w: value is too short", ErrOpen)
	}
	id := string(sealed[2 : 2+idLength])
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w: key id %q", ErrUnknownKey, id)
	}
	header := sealed[:2+idLength]
	plain, err := aead.Open(nil, nil, sealed[2+idLength:], additionalData(header, context))
	if err != nil {
		// The AEAD cannot say more than "authentication failed", and
		// that is all an attacker should learn too.
		return nil, fmt.Errorf("%w: altered, or sealed under another context", ErrOpen)
	}
	return plain, nil
}

func sealedHeader(id string) []byte {
	header := make([]byte, 0, 2+len(id))
	header = append(header, formatVersion, byte(len(id)))
	return append(header, id...)
}

// additionalData authenticates the header (so the version and key id
// cannot be swapped) and the context. The header carries its own length,
// so the concatenation is unambiguous.
func additionalData(header []byte, context string) []byte {
	ad := make([]byte, 0, len(header)+len(context))
	ad = append(ad, header...)
	return append(ad, context...)
}
