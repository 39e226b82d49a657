package verify

import (
	"time"
)

// Status is the verdict a customer acts on.
type Status string

const (
	Deliverable   Status = "deliverable"
	Undeliverable Status = "undeliverable"
	Risky         Status = "risky"
	Unknown       Status = "unknown"
)

// Reason says why a Status was given.
type Reason string

const (
	ReasonAccepted      Reason = "accepted_email"
	ReasonRejected      Reason = "rejected_email"
	ReasonInvalidSyntax Reason = "invalid_syntax"
	ReasonInvalidDomain Reason = "invalid_domain"
	ReasonNoMX          Reason = "no_mx"
	ReasonNullMX        Reason = "null_mx"
	ReasonCatchAll      Reason = "catch_all"
	ReasonDisposable    Reason = "disposable"
	ReasonRoleAccount   Reason = "role_account"
	ReasonMailboxFull   Reason = "mailbox_full"
	ReasonGreylisted    Reason = "greylisted"
	ReasonTimeout       Reason = "timeout"
	ReasonNoConnect     Reason = "no_connect"
	ReasonSMTPError     Reason = "smtp_error"
	ReasonBlockedByRule Reason = "blocked_by_rule"
	ReasonAllowedByRule Reason = "allowed_by_rule"
	ReasonTestMode      Reason = "test_mode"
	// ReasonDNSFailure: the resolver denies domains that certainly exist
	// (the DNS canaries), so its answer for this one is no verdict.
	ReasonDNSFailure Reason = "dns_failure"
)

// Known reports whether s is one of the four statuses.
func (s Status) Known() bool {
	switch s {
	case Deliverable, Undeliverable, Risky, Unknown:
		return true
	}
	return false
}

// Known reports whether r is one of the reasons above.
func (r Reason) Known() bool {
	switch r {
	case ReasonAccepted, ReasonRejected, ReasonInvalidSyntax, ReasonInvalidDomain, ReasonNoMX, ReasonNullMX,
		ReasonCatchAll, ReasonDisposable, ReasonRoleAccount, ReasonMailboxFull, ReasonGreylisted, ReasonTimeout,
		ReasonNoConnect, ReasonSMTPError, ReasonBlockedByRule, ReasonAllowedByRule, ReasonTestMode,
		ReasonDNSFailure:
		return true
	}
	return false
}

// Flags are facts about an address that hold whatever the verdict.
type Flags struct {
	Disposable bool `json:"disposable"`
	Role       bool `json:"role"`
	Free       bool `json:"free"`
	CatchAll   bool `json:"catch_all"`
}

// Result is the outcome of verifying one address, in the API's shape.
type Result struct {
	Email      string    `json:"email"`
	Normalized string    `json:"normalized"`
	Status     Status    `json:"status"`
	Reason     Reason    `json:"reason"`
	Score      int       `json:"score"`
	Flags      Flags     `json:"flags"`
	Domain     string    `json:"domain"`
	MX         *string   `json:"mx"`
	Suggestion *string   `json:"suggestion"`
	Cached     bool      `json:"cached"`
	CheckedAt  time.Time `json:"checked_at"`
	DurationMS int64     `json:"duration_ms"`
	// SMTPReply is the server reply that decided the verdict, if any.
	SMTPReply string `json:"smtp_reply,omitempty"`
	// RetryAfter hints, for temporary failures (greylisting), when asking
	// again may give an answer.
	RetryAfterSeconds int `json:"retry_after_seconds,omitempty"`
	// Detail explains the verdict in a sentence.
	Detail string `json:"detail,omitempty"`
}

// Temporary reports whether asking again later may change the verdict.
func (r Result) Temporary() bool { return r.RetryAfterSeconds > 0 }

// score turns a verdict into 0–100: how confident a sender can be that
// mail to the address arrives and is read.
func score(status Status, reason Reason, f Flags) int {
	s := 0
	switch status {
	case Deliverable:
		s = 95
	case Risky:
		switch reason {
		case ReasonCatchAll:
			s = 60
		case ReasonRoleAccount:
			s = 70
		case ReasonMailboxFull:
			s = 35
		case ReasonDisposable:
			s = 15
		default:
			s = 50
		}
	case Unknown:
		s = 40
		if reason == ReasonGreylisted {
			s = 45
		}
	case Undeliverable:
		s = 2
	}
	if f.Free && s > 10 {
		s -= 5
	}
	return s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
