package mailsim

// The SMTP side is a small hand-written server rather than emersion/go-smtp's
// Server. go-smtp cannot give the control the simulator needs: it always
// advertises PIPELINING, writes multi-line replies with the enhanced code on
// the last line only (real MTAs such as Gmail repeat it on every line), has
// no hook to drop a connection at a chosen command without replying, to
// send malformed or endless replies, or to count commands such as EHLO and
// QUIT. Using it for some hosts and custom code for others would give two
// behaviours to keep consistent. The client half of go-smtp is used in the
// tests to check that a real client implementation interoperates.

import (
	"bufio"
	"errors"
	"net"
	"strings"
	"time"
)

const (
	maxLineLen  = 4096            // longest command line accepted
	idleTimeout = 5 * time.Minute // RFC 5321 §4.5.3.2.7 server timeout
)

// constError lets sentinel errors be constants (no package-level vars).
type constError string

func (e constError) Error() string { return string(e) }

const errLineTooLong = constError("mailsim: line too long")

func (w *World) serveHost(h *hostRT) {
	defer w.wg.Done()
	for {
		c, err := h.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			// Transient (e.g. EMFILE under a big benchmark): back off a
			// little rather than stop serving this host for good.
			w.logf("smtp %s: accept: %v", h.name, err)
			select {
			case <-w.done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			continue
		}
		lc := newLatencyConn(c, h.cfg.Latency)
		if !w.track(lc) {
			lc.Abort()
			continue
		}
		go func() {
			defer w.untrack(lc)
			w.handleConn(h, lc)
		}()
	}
}

func (w *World) handleConn(h *hostRT, lc *latencyConn) {
	remote := lc.RemoteAddr().String()
	if !h.stats.tryAcquire(h.cfg.MaxConns) {
		w.logf("smtp %s: refusing %s over MaxConns=%d", h.name, remote, h.cfg.MaxConns)
		_, _ = lc.Write([]byte("421 4.7.0 Too many connections\r\n"))
		lc.gracefulClose()
		return
	}
	w.logf("smtp %s: connection from %s", h.name, remote)
	ip, _, _ := net.SplitHostPort(remote)
	s := &session{w: w, h: h, lc: lc, conn: lc, br: bufio.NewReaderSize(lc, maxLineLen),
		clientIP: ip, verbs: map[string]int{}}
	s.run()
	s.release()
	lc.gracefulClose()
	w.logf("smtp %s: %s closed", h.name, remote)
}

// session is the state of one SMTP connection.
type session struct {
	w        *World
	h        *hostRT
	lc       *latencyConn
	conn     net.Conn // lc, or a tls.Conn over it after STARTTLS
	br       *bufio.Reader
	clientIP string
	released bool
	verbs    map[string]int // occurrences per verb on this connection

	tls      bool
	helo     string
	inTx     bool
	mailFrom string
	rcpts    int // RCPT commands in this transaction
	accepted int // RCPTs answered 250 in this transaction
}

// release stops counting the connection against MaxConns. It is called on
// QUIT, before the 221 is sent, so a client that reconnects as soon as it
// reads 221 is not refused for a connection it has already given up.
func (s *session) release() {
	if !s.released {
		s.released = true
		s.h.stats.release()
	}
}

func (s *session) run() {
	if d := s.h.cfg.BannerDelay; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-s.w.done:
			return
		}
	}
	if s.h.cfg.Hostile.Mode != HostileNone && s.h.cfg.Hostile.At == "" {
		s.hostile()
		return
	}
	if b := s.h.cfg.Banner; b != nil {
		s.write(b.bytes())
	} else {
		s.reply(220, s.h.name+" ESMTP mailsim")
	}
	for {
		line, err := s.readLine()
		if errors.Is(err, errLineTooLong) {
			s.reply(500, "5.5.2 Error: line too long")
			continue
		}
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		if !knownVerb(verb) {
			verb = VerbUnknown
		}
		s.verbs[verb]++
		s.h.stats.command(verb)
		if s.h.cfg.NoPipelining && s.br.Buffered() > 0 {
			s.h.stats.update(func(st *HostStats) { st.ImproperPipelining++ })
		}
		if dr := s.h.cfg.Drop; dr.Verb != "" && strings.EqualFold(dr.Verb, verb) && s.verbs[verb] == max(dr.Nth, 1) {
			s.w.logf("smtp %s: dropping connection at %s #%d", s.h.name, verb, s.verbs[verb])
			return
		}
		if hm := s.h.cfg.Hostile; hm.Mode != HostileNone && strings.EqualFold(hm.At, verb) {
			s.hostile()
			return
		}
		if !s.dispatch(verb, strings.TrimSpace(arg)) {
			return
		}
	}
}

// readLine reads one CRLF- (or LF-) terminated line, without the ending.
func (s *session) readLine() (string, error) {
	_ = s.lc.SetReadDeadline(time.Now().Add(idleTimeout))
	line, err := s.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) { // discard the rest of the line
			_, err = s.br.ReadSlice('\n')
		}
		if err == nil {
			err = errLineTooLong
		}
		return "", err
	}
	if err != nil {
		return "", err
	}
	return strings.TrimRight(string(line), "\r\n"), nil
}

// write sends one complete reply with a single Write, so that a multi-line
// reply is delivered (and delayed) as a unit.
func (s *session) write(b []byte) {
	_, _ = s.conn.Write(b)
}

func (s *session) reply(code int, lines ...string) {
	s.write(Reply{Code: code, Lines: lines}.bytes())
}

// dispatch handles one command; false ends the session.
func (s *session) dispatch(verb, arg string) bool {
	switch verb {
	case VerbEHLO, VerbHELO:
		s.ehlo(verb == VerbEHLO, arg)
	case VerbSTARTTLS:
		return s.startTLS(arg)
	case VerbMAIL:
		s.mail(arg)
	case VerbRCPT:
		s.rcpt(arg)
	case VerbRSET:
		s.resetTx()
		s.reply(250, "2.0.0 Ok")
	case VerbNOOP:
		s.reply(250, "2.0.0 Ok")
	case VerbVRFY:
		s.reply(252, "2.0.0 Cannot VRFY user, but will accept message and attempt delivery")
	case VerbDATA:
		// Message transfer is out of scope: the engine never sends DATA.
		if s.accepted == 0 {
			s.reply(554, "5.5.1 Error: no valid recipients")
		} else {
			s.reply(554, "5.7.0 mailsim accepts no message data")
		}
		s.resetTx()
	case VerbQUIT:
		s.release()
		s.reply(221, "2.0.0 Bye")
		return false
	default:
		s.reply(502, "5.5.2 Error: command not recognized")
	}
	return true
}

func (s *session) resetTx() {
	s.inTx, s.mailFrom, s.rcpts, s.accepted = false, "", 0, 0
}
