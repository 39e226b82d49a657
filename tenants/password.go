package tenants

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// PasswordRule is the rule shown to people choosing a password.
const PasswordRule = "Use at least 10 characters (up to 128). Avoid common passwords and your email address."

const (
	minPasswordLen = 10
	maxPasswordLen = 128
)

// isCommonPassword refuses the long entries of leaked-password top lists;
// the length rule already rules out the short ones.
func isCommonPassword(p string) bool {
	switch strings.ToLower(p) {
	case "password123", "password1234", "1234567890", "12345678910",
		"qwertyuiop", "iloveyou123", "0123456789", "1q2w3e4r5t",
		"passwordpassword", "qwerty12345", "abcdefghij", "letmein123",
		"welcome123", "administrator", "changeme123", "mailvet123":
		return true
	}
	return false
}

// CheckPassword applies PasswordRule.
func CheckPassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < minPasswordLen:
		return &PasswordError{fmt.Sprintf("Password is too short: %d %s, at least %d.", n, plural(n, "character", "characters"), minPasswordLen)}
	case n > maxPasswordLen:
		return &PasswordError{fmt.Sprintf("Password is too long: %d characters, at most %d.", n, maxPasswordLen)}
	case isCommonPassword(password):
		return &PasswordError{"This password is on lists of leaked passwords that attackers try first; choose another."}
	}
	if local, _, _ := strings.Cut(strings.ToLower(email), "@"); len(local) >= 4 && strings.Contains(strings.ToLower(password), local) {
		return &PasswordError{"Password contains your email address (the part before the @); choose one without it."}
	}
	return nil
}

// Argon2Params sets the cost of password hashing.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 follows OWASP's argon2id recommendation (19 MiB, t=2, p=1).
func DefaultArgon2() Argon2Params { return Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1} }

// hashPassword returns a PHC-format argon2id hash.
func hashPassword(password string, p Argon2Params) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// verifyPassword checks password against a hash made by hashPassword, with
// the parameters recorded in the hash.
func verifyPassword(password, encoded string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
