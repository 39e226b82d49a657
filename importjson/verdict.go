package importjson

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"mailvet/verify"
	"mailvet/verify/address"
)

// The names a past verification's fields went by.
var (
	emailFields  = []string{"email", "address", "email_address", "emailAddress"}
	statusFields = []string{"status", "result", "verdict"}
	reasonFields = []string{"reason", "sub_status", "substatus", "detail"}
	timeFields   = []string{"checked_at", "verified_at", "validated_at", "timestamp", "created_at", "date", "time"}
)

// statuses maps the old service's verdict words to ours.
var statuses = map[string]verify.Status{
	"deliverable": verify.Deliverable, "valid": verify.Deliverable, "ok": verify.Deliverable, "good": verify.Deliverable,
	"safe": verify.Deliverable, "accepted": verify.Deliverable,
	"undeliverable": verify.Undeliverable, "invalid": verify.Undeliverable, "bad": verify.Undeliverable,
	"rejected": verify.Undeliverable, "bounce": verify.Undeliverable, "bounced": verify.Undeliverable,
	"risky": verify.Risky, "catch_all": verify.Risky, "catch-all": verify.Risky, "catchall": verify.Risky,
	"accept_all": verify.Risky, "accept-all": verify.Risky, "disposable": verify.Risky, "role": verify.Risky,
	"unknown": verify.Unknown, "timeout": verify.Unknown, "greylisted": verify.Unknown, "unverifiable": verify.Unknown,
}

// defaultReasons is the reason a verdict word implies when the record
// names none we know.
var defaultReasons = map[string]verify.Reason{
	"catch_all": verify.ReasonCatchAll, "catch-all": verify.ReasonCatchAll, "catchall": verify.ReasonCatchAll,
	"accept_all": verify.ReasonCatchAll, "accept-all": verify.ReasonCatchAll, "disposable": verify.ReasonDisposable,
	"role": verify.ReasonRoleAccount, "timeout": verify.ReasonTimeout, "greylisted": verify.ReasonGreylisted,
}

// statusReasons and statusScores complete a verdict that says only its
// status: the answer our engine gives most for it.
var (
	statusReasons = map[verify.Status]verify.Reason{
		verify.Deliverable: verify.ReasonAccepted, verify.Undeliverable: verify.ReasonRejected,
		verify.Risky: verify.ReasonCatchAll, verify.Unknown: verify.ReasonSMTPError,
	}
	statusScores = map[verify.Status]int{verify.Deliverable: 95, verify.Undeliverable: 0, verify.Risky: 50, verify.Unknown: 40}
)

var errNoEmail = errors.New("missing email (no email or address field)")

// verdict reads one past verification: from emails.json, or a row of a
// job or upload. A row without a time of its own takes at (its job's);
// at zero makes the time required.
func verdict(f Fields, at time.Time) (verify.Result, error) {
	email, _ := f.String(emailFields...)
	if email == "" {
		return verify.Result{}, errNoEmail
	}
	r := verify.Result{Email: email}
	word, ok := f.String(statusFields...)
	if !ok {
		// Some versions said only whether the address was valid.
		valid, ok := f.Bool("valid", "is_valid")
		if !ok {
			return r, errors.New("missing status (no status, result or valid field)")
		}
		word = map[bool]string{true: "valid", false: "invalid"}[valid]
	}
	word = strings.ToLower(strings.TrimSpace(word))
	status, ok := statuses[word]
	if !ok {
		return r, fmt.Errorf("unknown status %q", clip(word))
	}
	r.Status, r.Reason = status, statusReasons[status]
	if d, ok := defaultReasons[word]; ok {
		r.Reason = d
	}
	if given, ok := f.String(reasonFields...); ok && verify.Reason(given).Known() {
		r.Reason = verify.Reason(given)
	}
	t, err := f.Time(timeFields...)
	switch {
	case errors.Is(err, errNoTime) && !at.IsZero():
		t = at
	case errors.Is(err, errNoTime):
		return r, errors.New("missing time (no checked_at, timestamp or created_at field)")
	case err != nil:
		return r, err
	}
	r.CheckedAt = t
	r.Score = statusScores[status]
	if s, ok := f.Int("score", "quality_score"); ok && s >= 0 && s <= 100 {
		r.Score = s
	}
	r.Flags.Disposable, _ = f.Bool("disposable", "is_disposable")
	r.Flags.Role, _ = f.Bool("role", "is_role", "role_account")
	r.Flags.Free, _ = f.Bool("free", "is_free", "free_provider")
	r.Flags.CatchAll, _ = f.Bool("catch_all", "is_catch_all", "accept_all")
	if mx, ok := f.String("mx", "mx_record", "mx_host"); ok && mx != "" {
		r.MX = &mx
	}
	a, problem := address.Parse(email)
	if problem != nil {
		// What our engine says of an address that does not parse, whatever
		// the old service said; no cache entry can be found under it.
		r.Normalized = strings.TrimSpace(email)
		r.Status, r.Reason, r.Score = verify.Undeliverable, verify.ReasonInvalidSyntax, 0
		return r, nil
	}
	r.Normalized, r.Domain = a.Normalized, a.Domain
	return r, nil
}
