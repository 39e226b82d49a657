package tenants

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The scopes a key may hold. A call outside its key's scopes is refused
// with ErrInsufficientScope (the API's router names the scope each route
// needs).
const (
	ScopeVerify   = "verify"
	ScopeLists    = "lists"
	ScopeRules    = "rules"
	ScopeWebhooks = "webhooks"
	ScopeKeys     = "keys"
)

// AllScopes are every scope, in the order pages list them.
func AllScopes() []string {
	return []string{ScopeVerify, ScopeLists, ScopeRules, ScopeWebhooks, ScopeKeys}
}

// DefaultScopes are a new key's: everything but managing keys, so that a
// leaked integration key cannot mint more keys.
func DefaultScopes() []string { return []string{ScopeVerify, ScopeLists, ScopeRules, ScopeWebhooks} }

// Limits of a key's lifetime and of a roll's grace.
const (
	MaxKeyLifetimeDays = 3650
	// DefaultMaxGrace is how long a rolled key may keep working when the
	// workspace sets no maximum of its own.
	DefaultMaxGrace = 7 * 24 * time.Hour
	// DefaultRotationGrace is automatic rotation's grace when the
	// workspace sets none.
	DefaultRotationGrace = 7 * 24 * time.Hour
)

var (
	// ErrInsufficientScope: the key lacks the scope of the call, or
	// would make a key with more power than its own.
	ErrInsufficientScope = errors.New("insufficient scope")
	ErrUnknownScope      = errors.New("unknown scope")
	ErrInvalidExpiry     = errors.New("invalid expiry")
	ErrInvalidGrace      = errors.New("invalid grace")
	ErrInvalidKeyPolicy  = errors.New("invalid key policy")
	ErrKeyRolled         = errors.New("this key was already rolled")
	// ErrKeyInactive: a revoked or expired key cannot be rolled.
	ErrKeyInactive = errors.New("this key is revoked or expired")
	ErrKeyRevealed = errors.New("this key was already revealed")
)

// Allows reports whether the key holds scope.
func (k APIKey) Allows(scope string) bool { return slices.Contains(k.Scopes, scope) }

// RequireScope is nil when the key holds scope, else an error that
// matches ErrInsufficientScope and names it.
func (k APIKey) RequireScope(scope string) error {
	if k.Allows(scope) {
		return nil
	}
	return fmt.Errorf("%w: this key lacks the %q scope", ErrInsufficientScope, scope)
}

// normalizeScopes checks scopes against the known ones and returns them
// in the canonical order, without repeats; nil means the default.
func normalizeScopes(scopes []string) ([]string, error) {
	if scopes == nil {
		return DefaultScopes(), nil
	}
	var out []string
	for _, want := range scopes {
		if !slices.Contains(AllScopes(), want) {
			return nil, fmt.Errorf("%w %q", ErrUnknownScope, want)
		}
	}
	for _, known := range AllScopes() {
		if slices.Contains(scopes, known) {
			out = append(out, known)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: a key needs at least one scope", ErrUnknownScope)
	}
	return out, nil
}

// ParseScopes reads a comma-separated list ("verify,lists"); empty is nil
// (the default).
func ParseScopes(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

// Expiry is when a new key stops working: in Days days, at At, or (both
// zero) never.
type Expiry struct {
	Days int
	At   *time.Time
}

// resolve turns the expiry into the key's expires_at and lifetime in
// days (which its successors inherit), within maxDays when the workspace
// sets one (0: none).
func (e Expiry) resolve(now time.Time, maxDays int) (*time.Time, *int, error) {
	days := e.Days
	switch {
	case e.At != nil && e.Days != 0:
		return nil, nil, fmt.Errorf("%w: give a number of days or a date, not both", ErrInvalidExpiry)
	case e.At != nil:
		if !e.At.After(now) {
			return nil, nil, fmt.Errorf("%w: the date must be in the future", ErrInvalidExpiry)
		}
		days = int((e.At.Sub(now) + 24*time.Hour - 1) / (24 * time.Hour)) // whole days, rounded up
	case e.Days == 0:
		if maxDays > 0 {
			return nil, nil, fmt.Errorf("%w: this workspace requires keys to expire within %d days", ErrInvalidExpiry, maxDays)
		}
		return nil, nil, nil
	}
	if days < 1 || days > MaxKeyLifetimeDays {
		return nil, nil, fmt.Errorf("%w: a key expires after 1 to %d days", ErrInvalidExpiry, MaxKeyLifetimeDays)
	}
	if maxDays > 0 && days > maxDays {
		return nil, nil, fmt.Errorf("%w: this workspace requires keys to expire within %d days", ErrInvalidExpiry, maxDays)
	}
	at := now.Add(time.Duration(days) * 24 * time.Hour)
	if e.At != nil {
		at = *e.At
	}
	return &at, &days, nil
}

// ParseExpiresIn reads an expiry in days ("90", "90d"), "never" or "".
func ParseExpiresIn(s string) (Expiry, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "d")
	if s == "" || s == "never" {
		return Expiry{}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxKeyLifetimeDays {
		return Expiry{}, fmt.Errorf("%w: use a number of days from 1 to %d, or never", ErrInvalidExpiry, MaxKeyLifetimeDays)
	}
	return Expiry{Days: n}, nil
}

// ParseGrace reads how long a rolled key keeps working: "now" (or "0"),
// a Go duration ("1h", "24h", "90m") or whole days ("7d").
func ParseGrace(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "now" || s == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%w: %q is not a number of days", ErrInvalidGrace, s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%w: use now, a duration like 1h or 24h, or days like 7d", ErrInvalidGrace)
	}
	return d, nil
}

// checkGrace refuses a grace below zero or above the workspace's maximum.
func checkGrace(grace, max time.Duration) error {
	if grace < 0 || grace > max {
		return fmt.Errorf("%w: the grace must be between now and %s, this workspace's maximum", ErrInvalidGrace, HumanDuration(max))
	}
	return nil
}

// HumanDuration names a duration for people: "7 days", "24 hours",
// "1 hour", "30 minutes", "now".
func HumanDuration(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.FormatInt(n, 10) + " " + one + "s"
	}
	switch {
	case d <= 0:
		return "now"
	case d%(24*time.Hour) == 0 && d >= 48*time.Hour:
		return unit(int64(d/(24*time.Hour)), "day")
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	default:
		return unit(int64(d.Round(time.Minute)/time.Minute), "minute")
	}
}

// KeyPolicy is a workspace's rules for its keys, kept in its settings.
type KeyPolicy struct {
	// MaxLifetimeDays requires new keys to expire within as many days
	// (0: keys may live for ever).
	MaxLifetimeDays int `json:"key_max_lifetime_days,omitempty"`
	// MaxGraceHours bounds a roll's grace (0: DefaultMaxGrace).
	MaxGraceHours int `json:"key_max_grace_hours,omitempty"`
	// RotateAfterDays rolls keys older than as many days automatically
	// (0: never), with RotationGraceHours of grace (0: the default,
	// capped at the maximum grace).
	RotateAfterDays    int `json:"key_rotate_after_days,omitempty"`
	RotationGraceHours int `json:"key_rotation_grace_hours,omitempty"`
}

// MaxGrace is the longest grace a roll may give.
func (p KeyPolicy) MaxGrace() time.Duration {
	if p.MaxGraceHours > 0 {
		return time.Duration(p.MaxGraceHours) * time.Hour
	}
	return DefaultMaxGrace
}

// RotationGrace is the grace automatic rotation gives the old key.
func (p KeyPolicy) RotationGrace() time.Duration {
	if p.RotationGraceHours > 0 {
		return min(time.Duration(p.RotationGraceHours)*time.Hour, p.MaxGrace())
	}
	return min(DefaultRotationGrace, p.MaxGrace())
}

// check refuses values out of range.
func (p KeyPolicy) check() error {
	switch {
	case p.MaxLifetimeDays < 0 || p.MaxLifetimeDays > MaxKeyLifetimeDays:
		return fmt.Errorf("%w: the maximum lifetime is 1 to %d days, or none", ErrInvalidKeyPolicy, MaxKeyLifetimeDays)
	case p.MaxGraceHours < 0 || p.MaxGraceHours > 30*24:
		return fmt.Errorf("%w: the maximum grace is 1 hour to 30 days", ErrInvalidKeyPolicy)
	case p.RotateAfterDays < 0 || p.RotateAfterDays > MaxKeyLifetimeDays:
		return fmt.Errorf("%w: rotation is after 1 to %d days, or never", ErrInvalidKeyPolicy, MaxKeyLifetimeDays)
	case p.RotationGraceHours < 0 || time.Duration(p.RotationGraceHours)*time.Hour > p.MaxGrace():
		return fmt.Errorf("%w: the rotation grace must be at most the maximum grace (%s)", ErrInvalidKeyPolicy, HumanDuration(p.MaxGrace()))
	}
	return nil
}
