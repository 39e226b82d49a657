package verify

import (
	"strings"
	"time"

	"mailvet/verify/address"
)

// TestMode answers from the local part alone, without any network and
// without spending quota, so integrators can exercise every branch with
// mv_test_ keys. Syntax is still checked for real.
//
//	deliverable@…  undeliverable@…  risky@…  unknown@…  catchall@…
//	disposable@…   timeout@…        role@…   full@…     greylisted@…
//
// Anything else is deliverable with reason test_mode.
func TestMode(raw string) Result {
	start := time.Now()
	r := Result{Email: raw, CheckedAt: start.UTC()}
	addr, problem := address.Parse(raw)
	if problem != nil {
		return invalidSyntax(raw, problem, start)
	}
	r.Normalized, r.Domain = addr.Normalized, addr.Domain
	r.Suggestion = strPtr(address.Suggest(addr.Domain))
	r.MX = strPtr("mx.test-mode.mailvet")
	key, _, _ := strings.Cut(strings.ToLower(addr.Local), "+")
	switch key {
	case "deliverable":
		r.Status, r.Reason = Deliverable, ReasonAccepted
	case "undeliverable":
		r.Status, r.Reason = Undeliverable, ReasonRejected
		r.SMTPReply = "550 5.1.1 test mode: user unknown"
	case "risky", "full":
		r.Status, r.Reason = Risky, ReasonMailboxFull
		r.SMTPReply = "552 5.2.2 test mode: mailbox full"
	case "unknown":
		r.Status, r.Reason = Unknown, ReasonSMTPError
	case "catchall":
		r.Status, r.Reason, r.Flags.CatchAll = Risky, ReasonCatchAll, true
	case "disposable":
		r.Status, r.Reason, r.Flags.Disposable = Risky, ReasonDisposable, true
		r.MX = nil
	case "role":
		r.Status, r.Reason, r.Flags.Role = Risky, ReasonRoleAccount, true
	case "timeout":
		r.Status, r.Reason, r.RetryAfterSeconds = Unknown, ReasonTimeout, 60
	case "greylisted":
		r.Status, r.Reason, r.RetryAfterSeconds = Unknown, ReasonGreylisted, 300
		r.SMTPReply = "451 4.7.1 test mode: greylisted, try again in 300 seconds"
	default:
		r.Status, r.Reason = Deliverable, ReasonTestMode
	}
	r.Detail = "Test mode: answered from the local part, no network used."
	return finish(r, start)
}
