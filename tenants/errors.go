package tenants

import (
	"errors"

	"mailvet/actor"
)

var (
	// ErrNotFound covers records that do not exist and records of another
	// tenant: their existence is never revealed.
	ErrNotFound           = errors.New("not found")
	ErrEmailTaken         = errors.New("an account with this email already exists")
	ErrInvalidCredentials = errors.New("email or password is incorrect")
	ErrInvalidLink        = errors.New("this link is invalid or has expired")
	// ErrForbidden is actor.ErrForbidden: the actor's kind or role does not
	// allow the operation. One value, so one mapping in app/.
	ErrForbidden        = actor.ErrForbidden
	ErrLastOwner        = errors.New("a team must keep at least one owner")
	ErrAlreadyMember    = errors.New("this person is already a member")
	ErrInviteEmail      = errors.New("this invitation was sent to another email address")
	ErrEmailNotVerified = errors.New("verify your email address first")
	ErrMalformedKey     = errors.New("malformed API key")
	ErrUnknownKey       = errors.New("unknown API key")
	ErrKeyRevoked       = errors.New("API key revoked")
	ErrKeyExpired       = errors.New("API key expired")
	ErrTenantSuspended  = errors.New("account suspended")
	ErrCurrentPassword  = errors.New("current password is incorrect")
	ErrUserLocked       = errors.New("this account is locked")
	// ErrLastPlatformAdmin: the platform would be left without an admin.
	ErrLastPlatformAdmin = errors.New("the platform must keep at least one platform admin")
	// ErrInvalidInput is what every *InputError matches: something a
	// person typed was refused.
	ErrInvalidInput = errors.New("invalid input")
	// ErrKeyLimit is what every *KeyLimitError matches: a key's own limit
	// was refused.
	ErrKeyLimit = errors.New("invalid key limit")
)

// PasswordError explains why a new password was refused.
type PasswordError struct{ Reason string }

func (e *PasswordError) Error() string { return e.Reason }

// InputError names the field a person typed that was refused, and why.
// It matches ErrInvalidInput.
type InputError struct {
	Field  string // "company", "name", "email", "technical_email", "key_name"
	Reason string
}

func (e *InputError) Error() string { return e.Field + ": " + e.Reason }

// Is makes errors.Is(err, ErrInvalidInput) true.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }
