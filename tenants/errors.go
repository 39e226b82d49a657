package tenants

import "errors"

var (
	// ErrNotFound covers records that do not exist and records of another
	// tenant: their existence is never revealed.
	ErrNotFound           = errors.New("not found")
	ErrEmailTaken         = errors.New("an account with this email already exists")
	ErrInvalidCredentials = errors.New("email or password is incorrect")
	ErrInvalidLink        = errors.New("this link is invalid or has expired")
	ErrForbidden          = errors.New("your role does not allow this")
	ErrLastOwner          = errors.New("a team must keep at least one owner")
	ErrAlreadyMember      = errors.New("this person is already a member")
	ErrInviteEmail        = errors.New("this invitation was sent to another email address")
	ErrEmailNotVerified   = errors.New("verify your email address first")
	ErrMalformedKey       = errors.New("malformed API key")
	ErrUnknownKey         = errors.New("unknown API key")
	ErrKeyRevoked         = errors.New("API key revoked")
	ErrKeyExpired         = errors.New("API key expired")
	ErrTenantSuspended    = errors.New("account suspended")
	ErrCurrentPassword    = errors.New("current password is incorrect")
)

// PasswordError explains why a new password was refused.
type PasswordError struct{ Reason string }

func (e *PasswordError) Error() string { return e.Reason }
