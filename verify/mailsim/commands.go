package mailsim

import (
	"bufio"
	"crypto/tls"
	"time"
)

// Handlers of the commands that change session state; RCPT is in rcpt.go.

func (s *session) ehlo(extended bool, arg string) {
	if arg == "" {
		s.reply(501, "5.5.4 Syntax: EHLO hostname")
		return
	}
	if extended && s.h.cfg.NoESMTP {
		s.reply(502, "5.5.2 Error: command not recognized")
		return
	}
	s.resetTx()
	s.helo = arg
	if !extended {
		s.reply(250, s.h.name)
		return
	}
	lines := []string{s.h.name}
	if !s.h.cfg.NoPipelining {
		lines = append(lines, "PIPELINING")
	}
	lines = append(lines, "SIZE 52428800", "8BITMIME")
	if s.h.cfg.TLS != TLSOff && !s.tls {
		lines = append(lines, "STARTTLS")
	}
	lines = append(lines, "ENHANCEDSTATUSCODES", "SMTPUTF8")
	lines = append(lines, s.h.cfg.EHLOExtra...)
	s.reply(250, lines...)
}

func (s *session) startTLS(arg string) bool {
	switch {
	case s.h.cfg.TLS == TLSOff:
		s.reply(502, "5.5.1 Error: command not implemented")
		return true
	case s.tls:
		s.reply(503, "5.5.1 Error: TLS already active")
		return true
	case arg != "":
		s.reply(501, "5.5.4 Syntax: STARTTLS")
		return true
	}
	s.reply(220, "2.0.0 Ready to start TLS")
	tc := tls.Server(s.lc, s.h.tlsConf)
	_ = s.lc.SetDeadline(time.Now().Add(30 * time.Second))
	if err := tc.Handshake(); err != nil {
		s.w.logf("smtp %s: TLS handshake: %v", s.h.name, err)
		return false
	}
	_ = s.lc.SetDeadline(time.Time{})
	s.h.stats.update(func(st *HostStats) { st.TLS++ })
	// RFC 3207: forget everything learnt before TLS, including any
	// plaintext the client pipelined after STARTTLS.
	s.conn, s.br, s.tls, s.helo = tc, bufio.NewReaderSize(tc, maxLineLen), true, ""
	s.resetTx()
	return true
}

func (s *session) mail(arg string) {
	switch {
	case s.h.cfg.TLS == TLSRequired && !s.tls:
		s.reply(530, "5.7.0 Must issue a STARTTLS command first")
		return
	case s.helo == "":
		s.reply(503, "5.5.1 Error: send HELO/EHLO first")
		return
	case s.inTx:
		s.reply(503, "5.5.1 Error: nested MAIL command")
		return
	}
	from, err := parsePath(arg, "FROM:")
	if err != nil {
		s.reply(501, "5.1.7 Bad sender address syntax")
		return
	}
	if s.h.cfg.Block == BlockAtMail {
		s.replyBlocked()
		return
	}
	s.inTx, s.mailFrom, s.rcpts, s.accepted = true, from, 0, 0
	s.h.stats.update(func(st *HostStats) { st.Transactions++ })
	s.reply(250, "2.1.0 Ok")
}

func (s *session) replyBlocked() {
	s.reply(550, "5.7.1 Service unavailable; client ["+s.clientIP+"] blocked using zen.spamhaus.org")
}
