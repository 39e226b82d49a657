package mailsim

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawClient is a minimal SMTP client speaking the protocol line by line, so
// tests control pipelining and see replies exactly as sent.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	br   *bufio.Reader
}

// reply is one parsed SMTP reply.
type reply struct {
	code  int
	lines []string // text after "NNN-"/"NNN "
}

func (r reply) text() string { return strings.Join(r.lines, "\n") }

func dialHost(t testing.TB, w *World, host string) *rawClient {
	t.Helper()
	addr := w.HostAddrPort(host)
	if addr == "" {
		t.Fatalf("unknown host %s", host)
	}
	return dialAddr(t, addr)
}

func dialAddr(t testing.TB, addr string) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	return &rawClient{t: t, conn: c, br: bufio.NewReader(c)}
}

// greeted dials host and consumes the 220 greeting.
func greeted(t testing.TB, w *World, host string) *rawClient {
	t.Helper()
	c := dialHost(t, w, host)
	c.expect(220)
	return c
}

// send writes all lines in one Write: several lines means pipelining.
func (c *rawClient) send(lines ...string) {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(strings.Join(lines, "\r\n") + "\r\n")); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// readReply reads one possibly multi-line reply.
func (c *rawClient) readReply() (reply, error) {
	var r reply
	for {
		line, err := c.br.ReadString('\n')
		if err != nil {
			return r, err
		}
		line = strings.TrimRight(line, "\r\n")
		if len(line) < 4 {
			return r, constError("short reply line " + strconv.Quote(line))
		}
		code, err := strconv.Atoi(line[:3])
		if err != nil {
			return r, err
		}
		r.code = code
		r.lines = append(r.lines, line[4:])
		if line[3] == ' ' {
			return r, nil
		}
	}
}

func (c *rawClient) read() reply {
	c.t.Helper()
	r, err := c.readReply()
	if err != nil {
		c.t.Fatalf("read reply: %v", err)
	}
	return r
}

// expect reads one reply and checks its code.
func (c *rawClient) expect(code int) reply {
	c.t.Helper()
	r := c.read()
	if r.code != code {
		c.t.Fatalf("got %d %q, want %d", r.code, r.text(), code)
	}
	return r
}

// cmd sends one command and reads its reply.
func (c *rawClient) cmd(line string) reply {
	c.t.Helper()
	c.send(line)
	return c.read()
}

// cmdExpect sends one command and checks the reply code.
func (c *rawClient) cmdExpect(line string, code int) reply {
	c.t.Helper()
	c.send(line)
	return c.expect(code)
}

// expectEOF checks that the server closed the connection without a reply.
func (c *rawClient) expectEOF() {
	c.t.Helper()
	if r, err := c.readReply(); err == nil {
		c.t.Fatalf("got reply %d %q, want connection closed", r.code, r.text())
	}
}

// rcptReply runs EHLO, MAIL and one RCPT and returns the RCPT reply.
func rcptReply(t testing.TB, w *World, host, rcpt string) reply {
	t.Helper()
	c := greeted(t, w, host)
	c.cmdExpect("EHLO client.test", 250)
	c.cmdExpect("MAIL FROM:<probe@client.test>", 250)
	r := c.cmd("RCPT TO:<" + rcpt + ">")
	c.cmdExpect("QUIT", 221)
	return r
}
