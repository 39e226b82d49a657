package mailsim

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// rcpt decides a RCPT TO. Checks run in this order: TLS requirement,
// transaction state, syntax, MaxRcpts (452), policy block, relay (the host
// must be an MX of the domain), greylisting, full mailbox, then existence.
func (s *session) rcpt(arg string) {
	if s.h.cfg.TLS == TLSRequired && !s.tls {
		s.reply(530, "5.7.0 Must issue a STARTTLS command first")
		return
	}
	if !s.inTx {
		s.reply(503, "5.5.1 Error: need MAIL command")
		return
	}
	addr, err := parsePath(arg, "TO:")
	if err != nil || addr == "" {
		s.reply(501, "5.1.3 Bad recipient address syntax")
		return
	}
	s.rcpts++
	if m := s.h.cfg.MaxRcpts; m > 0 && s.rcpts > m {
		s.reply(452, "4.5.3 Too many recipients")
		return
	}
	if s.h.cfg.Block == BlockAtRcpt {
		s.replyBlocked()
		return
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		if strings.EqualFold(addr, "postmaster") { // RFC 5321 §4.5.1
			s.accept()
			return
		}
		s.reply(501, "5.1.3 Bad recipient address syntax")
		return
	}
	local, domain := strings.ToLower(addr[:at]), strings.ToLower(addr[at+1:])
	d := s.w.domain(domain)
	if d == nil || !d.servers[s.h.name] {
		s.reply(554, fmt.Sprintf("5.7.1 <%s>: Relay access denied", addr))
		return
	}
	if g := s.h.cfg.Greylist; g > 0 {
		key := s.clientIP + "\x00" + strings.ToLower(s.mailFrom) + "\x00" + local + "@" + domain
		if wait := s.h.grey.check(key, g); wait > 0 {
			secs := int((wait + time.Second - 1) / time.Second)
			s.reply(451, fmt.Sprintf("4.7.1 Greylisted, try again in %d seconds", secs))
			return
		}
	}
	switch {
	case d.full[local]:
		s.reply(552, "5.2.2 Mailbox full")
	case d.cfg.CatchAll || d.boxes[local] || local == "postmaster":
		s.accept()
	case d.cfg.UnknownReply != nil:
		s.write(d.cfg.UnknownReply.bytes())
	default:
		s.reply(550, fmt.Sprintf("5.1.1 <%s>: Recipient address rejected: User unknown", addr))
	}
}

func (s *session) accept() {
	s.accepted++
	s.reply(250, "2.1.5 Ok")
}

// parsePath extracts the address from "FROM:<a@b> PARAMS" or "TO:<a@b>".
// A space after the colon is tolerated, as most servers do; source routes
// ("<@relay:user@d>") are stripped.
func parsePath(arg, prefix string) (string, error) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", constError("missing " + prefix)
	}
	rest := strings.TrimLeft(arg[len(prefix):], " ")
	end := strings.IndexByte(rest, '>')
	if !strings.HasPrefix(rest, "<") || end < 0 {
		return "", constError("address not in angle brackets")
	}
	addr := rest[1:end]
	if strings.HasPrefix(addr, "@") {
		if i := strings.IndexByte(addr, ':'); i >= 0 {
			addr = addr[i+1:]
		}
	}
	if strings.ContainsAny(addr, " <>") {
		return "", constError("bad address")
	}
	return addr, nil
}

// greylist remembers when each (client IP, sender, recipient) triplet was
// first seen by one host.
type greylist struct {
	mu    sync.Mutex
	first map[string]time.Time
}

// check records the triplet and returns how long it remains greylisted
// (0 once the period since its first attempt has passed).
func (g *greylist) check(key string, period time.Duration) time.Duration {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.first == nil {
		g.first = map[string]time.Time{}
	}
	t, seen := g.first[key]
	if !seen {
		g.first[key] = now
		return period
	}
	return max(period-now.Sub(t), 0)
}

func (g *greylist) reset() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.first)
}
