package verify

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// rcptVerdict is what one RCPT reply says about a mailbox.
type rcptVerdict int

const (
	rcptAccepted  rcptVerdict = iota
	rcptRejected              // the mailbox does not exist
	rcptFull                  // exists, over quota
	rcptTemporary             // 4xx: greylisting or busy, ask later
	rcptAboutUs               // 5xx about the sender (policy, IP), not the mailbox
)

// aboutUs matches refusals aimed at the connecting client rather than the
// mailbox: blocklists, reputation, policy. Such a 5xx says nothing about
// whether the address exists.
var aboutUs = regexp.MustCompile(`(?i)\b(block(ed|list)?|black ?list|spamhaus|spamcop|barracuda|sorbs|reputation|poor reputation|policy|rbl|dnsbl|banned|client host|your ip|ip address|relay(ing)? (denied|not permitted)|not permitted to relay|authentication required|spam|abuse|rejected due to|access denied|helo|reverse dns|ptr record)\b`)

// mailboxGone matches texts that say the mailbox does not exist when the
// server sent no enhanced status code.
var mailboxGone = regexp.MustCompile(`(?i)(user unknown|unknown user|no such (user|mailbox|recipient)|does not exist|doesn't exist|not found|invalid (recipient|mailbox|address)|mailbox (unavailable|not found)|recipient (address )?rejected|undeliverable|address rejected|unknown recipient|no mailbox|disabled|inactive)`)

func classifyRcpt(r reply) rcptVerdict {
	switch {
	case r.Code == 250 || r.Code == 251:
		return rcptAccepted
	case r.class() == 4:
		return rcptTemporary
	case r.Code == 552 || r.Enhanced == "5.2.2" || strings.HasPrefix(r.Enhanced, "5.2.2"):
		return rcptFull
	case strings.HasPrefix(r.Enhanced, "5.7."):
		return rcptAboutUs
	case strings.HasPrefix(r.Enhanced, "5.1."):
		return rcptRejected
	}
	text := strings.Join(r.Lines, " ")
	if mailboxGone.MatchString(text) && (r.Code == 550 || r.Code == 551 || r.Code == 553 || r.Code == 554) && !aboutUs.MatchString(text) {
		return rcptRejected
	}
	if aboutUs.MatchString(text) {
		return rcptAboutUs
	}
	if r.Code == 550 || r.Code == 551 || r.Code == 553 {
		return rcptRejected
	}
	return rcptAboutUs
}

// tooManyRecipients says the server wants the rest of the RCPTs in a new
// transaction (RFC 5321 §4.5.3.1.10).
func tooManyRecipients(r reply) bool {
	return r.Code == 452 && (r.Enhanced == "4.5.3" || strings.Contains(strings.ToLower(strings.Join(r.Lines, " ")), "too many recipients"))
}

var retryIn = regexp.MustCompile(`(?i)(\d{1,5})\s*(s\b|sec|second|min|minute)`)

// retryAfter reads "try again in N seconds/minutes" from a 4xx reply, or
// falls back to def.
func retryAfter(r reply, def time.Duration) time.Duration {
	m := retryIn.FindStringSubmatch(strings.Join(r.Lines, " "))
	if m == nil {
		return def
	}
	n, _ := strconv.Atoi(m[1])
	d := time.Duration(n) * time.Second
	if strings.HasPrefix(strings.ToLower(m[2]), "m") {
		d = time.Duration(n) * time.Minute
	}
	if d <= 0 || d > 24*time.Hour {
		return def
	}
	return d
}
