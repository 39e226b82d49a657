package verify

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// smtpConn is one client connection to an MX host. We write this client
// ourselves because no Go SMTP library pipelines RCPT commands (RFC 2920)
// or exposes every reply of a transaction, and probing needs both.
type smtpConn struct {
	host       string // MX host name, for TLS and results
	addr       string // ip:port dialled
	conn       net.Conn
	br         *bufio.Reader
	bw         *bufio.Writer
	timeout    time.Duration // per command round trip
	pipelining bool
	extensions map[string]bool
	tls        bool
	maxRcpts   int // from the server's LIMITS RCPTMAX, if any
	txns       int // transactions done; RSET precedes each after the first
	lastUsed   time.Time
	// releaseSlot gives back the host slot this connection holds
	// (Config.Slots); nil when slots are this process's own.
	releaseSlot func()
	bound       time.Time // the caller's deadline for the current probe
	counts      *counters // the engine's (nil in tests that dial by hand)
}

// errConnLost marks failures after which the connection cannot be reused.
var errConnLost = errors.New("smtp: connection lost")

// dialSMTP connects, reads the banner, says EHLO (HELO if refused) and
// upgrades with STARTTLS when offered and wanted.
func dialSMTP(ctx context.Context, dial dialFunc, host, addr string, cfg Config, counts *counters) (*smtpConn, reply, error) {
	dctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	nc, err := dial(dctx, "tcp", addr)
	if err != nil {
		return nil, reply{}, err
	}
	c := &smtpConn{host: host, addr: addr, conn: nc, timeout: cfg.CommandTimeout, lastUsed: time.Now(), counts: counts}
	c.br = bufio.NewReaderSize(nc, maxReplyLineLen)
	c.bw = bufio.NewWriterSize(nc, 8192)
	c.bound, _ = ctx.Deadline()
	defer func() { c.bound = time.Time{} }()
	// The banner may be slow (tarpits); it gets the connect timeout.
	banner, err := c.read(cfg.ConnectTimeout)
	if err != nil && banner.Code == 0 {
		nc.Close()
		return nil, banner, err
	}
	if banner.Code != 220 {
		nc.Close()
		return nil, banner, nil
	}
	if r, err := c.hello(cfg.HeloName); err != nil || r.class() != 2 {
		nc.Close()
		return nil, r, err
	}
	if cfg.StartTLS && c.extensions["STARTTLS"] {
		if r, err := c.startTLS(host, cfg); err != nil || r.class() != 2 {
			nc.Close()
			return nil, r, err
		}
	}
	return c, banner, nil
}

// write sends raw commands without waiting for replies.
func (c *smtpConn) write(cmds ...string) error {
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.timeout))
	for _, cmd := range cmds {
		if _, err := c.bw.WriteString(cmd + "\r\n"); err != nil {
			return fmt.Errorf("%w: %v", errConnLost, err)
		}
	}
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("%w: %v", errConnLost, err)
	}
	return nil
}

// read reads one reply within timeout, or by the deadline set with
// bound, whichever comes first.
func (c *smtpConn) read(timeout time.Duration) (reply, error) {
	deadline := time.Now().Add(timeout)
	if !c.bound.IsZero() && c.bound.Before(deadline) {
		deadline = c.bound
	}
	_ = c.conn.SetReadDeadline(deadline)
	r, err := readReply(c.br)
	if err != nil {
		return r, fmt.Errorf("%w: %w", errConnLost, err)
	}
	c.counts.reply(r.Code)
	if r.Code == 421 {
		// The server is closing the channel (RFC 5321 §3.8).
		return r, fmt.Errorf("%w: %s", errConnLost, r.Text())
	}
	return r, nil
}

func (c *smtpConn) cmd(line string) (reply, error) {
	if err := c.write(line); err != nil {
		return reply{}, err
	}
	return c.read(c.timeout)
}

func (c *smtpConn) hello(name string) (reply, error) {
	r, err := c.cmd("EHLO " + name)
	if err != nil {
		return r, err
	}
	if r.class() != 2 {
		// Old servers only know HELO; they offer no extensions.
		r, err = c.cmd("HELO " + name)
		c.extensions = map[string]bool{}
		return r, err
	}
	c.extensions = map[string]bool{}
	for _, l := range r.Lines[1:] {
		kw, params, _ := strings.Cut(strings.ToUpper(strings.TrimSpace(l)), " ")
		c.extensions[kw] = true
		if kw == "LIMITS" {
			for _, p := range strings.Fields(params) {
				var n int
				if _, err := fmt.Sscanf(p, "RCPTMAX=%d", &n); err == nil && n > 0 {
					c.maxRcpts = n
				}
			}
		}
	}
	c.pipelining = c.extensions["PIPELINING"]
	return r, nil
}

func (c *smtpConn) startTLS(host string, cfg Config) (reply, error) {
	r, err := c.cmd("STARTTLS")
	if err != nil || r.class() != 2 {
		return r, err
	}
	// Opportunistic TLS: MX certificates are often self-signed or do not
	// name the host, and refusing them would only make us fall back to
	// plain text, so the certificate is not verified (as MTAs do).
	tc := tls.Client(c.conn, &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec
	_ = tc.SetDeadline(time.Now().Add(c.timeout))
	if err := tc.Handshake(); err != nil {
		return r, fmt.Errorf("%w: tls: %v", errConnLost, err)
	}
	c.conn, c.tls = tc, true
	c.br = bufio.NewReaderSize(tc, maxReplyLineLen)
	c.bw = bufio.NewWriterSize(tc, 8192)
	return c.hello(cfg.HeloName)
}

// transaction is the outcome of one MAIL FROM with its RCPTs.
type transaction struct {
	mail  reply
	rcpts []reply // one per recipient sent; shorter when the server stopped
}

// probe runs RSET (after the first transaction), MAIL FROM and one RCPT
// per address. With PIPELINING every command goes out in one write and the
// replies are read in order; without it, one command per round trip.
func (c *smtpConn) probe(ctx context.Context, from string, rcpts []string) (transaction, error) {
	var t transaction
	c.bound, _ = ctx.Deadline()
	defer func() { c.bound = time.Time{} }()
	cmds := make([]string, 0, len(rcpts)+2)
	if c.txns > 0 {
		cmds = append(cmds, "RSET")
	}
	cmds = append(cmds, "MAIL FROM:<"+from+">")
	for _, r := range rcpts {
		cmds = append(cmds, "RCPT TO:<"+r+">")
	}
	c.txns++
	c.lastUsed = time.Now()
	if c.pipelining {
		if err := c.write(cmds...); err != nil {
			return t, err
		}
		for i := range cmds {
			r, err := c.read(c.timeout)
			if err != nil {
				return t, err
			}
			if !c.record(&t, cmds[i], r) {
				// MAIL FROM refused: the RCPT replies that follow are
				// meaningless (RFC 2920 §3.1) but must still be read.
				for range cmds[i+1:] {
					if _, err := c.read(c.timeout); err != nil {
						return t, err
					}
				}
				return t, nil
			}
		}
		return t, nil
	}
	for _, cmd := range cmds {
		r, err := c.cmd(cmd)
		if err != nil {
			return t, err
		}
		if !c.record(&t, cmd, r) {
			return t, nil
		}
	}
	return t, nil
}

// record files a reply into t; false means the transaction cannot go on.
func (c *smtpConn) record(t *transaction, cmd string, r reply) bool {
	switch {
	case cmd == "RSET":
		return true // a failed RSET shows up as a refused MAIL FROM next
	case strings.HasPrefix(cmd, "MAIL"):
		t.mail = r
		return r.class() == 2
	default:
		t.rcpts = append(t.rcpts, r)
		return true
	}
}

// close says QUIT and then waits (up to a second) for the server to close
// its side, after its 221: until it does, the server still counts the
// connection against our cap, and the shared slot given back as soon as
// close returns would let another process open one connection more than
// the cap (seen as 6 of 5 once the slot's give-back no longer waited for
// the disk).
func (c *smtpConn) close() {
	_ = c.conn.SetDeadline(time.Now().Add(time.Second))
	_, _ = c.bw.WriteString("QUIT\r\n")
	if c.bw.Flush() == nil {
		_, _ = io.Copy(io.Discard, c.br)
	}
	_ = c.conn.Close()
}
