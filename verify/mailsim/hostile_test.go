package mailsim

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// readFor reads whatever arrives within d.
func readFor(t *testing.T, c *rawClient, d time.Duration) string {
	t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(d))
	b, err := io.ReadAll(c.br)
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v (after %q), want deadline exceeded", err, b)
	}
	return string(b)
}

func TestHostile(t *testing.T) {
	t.Parallel()
	w := Start(t, Config{Domains: []Domain{
		{Name: "silent.test", Server: Host{Hostile: Hostile{Mode: HostileSilent}}},
		{Name: "partial.test", Server: Host{Hostile: Hostile{Mode: HostilePartial, At: "RCPT"}}},
		{Name: "trickle.test", Server: Host{Hostile: Hostile{Mode: HostileTrickle, At: "EHLO"}}},
		{Name: "huge.test", Server: Host{Hostile: Hostile{Mode: HostileHugeLine, At: "MAIL"}}},
		{Name: "endless.test", Server: Host{Hostile: Hostile{Mode: HostileEndless, At: "EHLO"}, Latency: 10 * time.Millisecond}},
	}})

	if got := readFor(t, dialHost(t, w, "mx.silent.test"), 200*time.Millisecond); got != "" {
		t.Errorf("silent server sent %q", got)
	}

	c := greeted(t, w, "mx.partial.test")
	c.cmdExpect("EHLO client.test", 250)
	c.cmdExpect("MAIL FROM:<a@client.test>", 250)
	c.send("RCPT TO:<x@partial.test>")
	if got := readFor(t, c, 200*time.Millisecond); got != "250 " {
		t.Errorf("partial reply %q", got)
	}

	c = greeted(t, w, "mx.trickle.test")
	c.send("EHLO client.test")
	if got := readFor(t, c, 300*time.Millisecond); !strings.HasPrefix(got, "250 xx") || strings.Contains(got, "\n") {
		t.Errorf("trickle sent %q", got)
	}

	c = greeted(t, w, "mx.huge.test")
	c.cmdExpect("EHLO client.test", 250)
	c.send("MAIL FROM:<a@client.test>")
	line, err := c.br.ReadString('\n')
	if err != nil || len(line) != 4+defaultHugeLine+2 || !strings.HasPrefix(line, "250 xxx") {
		t.Errorf("huge line: %d bytes, err %v", len(line), err)
	}

	c = greeted(t, w, "mx.endless.test")
	c.send("EHLO client.test")
	buf := make([]byte, 1<<20)
	if _, err := io.ReadFull(c.br, buf); err != nil {
		t.Fatalf("endless: %v", err)
	}
	if s := string(buf[:200]); !strings.HasPrefix(s, "250-xxx") || strings.Contains(s, "250 ") {
		t.Errorf("endless reply starts %q", s)
	}
}

// A hostile server blocked writing to a client that never reads, and
// sessions tarpitting or idle, must not delay Close.
func TestCloseAbortsStuckSessions(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := New(ctx, Config{Domains: []Domain{
		{Name: "endless.test", Server: Host{Hostile: Hostile{Mode: HostileEndless, At: "EHLO"}, Latency: 5 * time.Millisecond}},
		{Name: "tarpit.test", Server: Host{BannerDelay: time.Hour}},
		{Name: "idle.test"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	c := greeted(t, w, "mx.endless.test")
	c.send("EHLO client.test") // and never read
	dialHost(t, w, "mx.tarpit.test")
	greeted(t, w, "mx.idle.test")
	time.Sleep(100 * time.Millisecond)

	start := time.Now()
	cancel() // context cancellation closes the world, like Close
	done := make(chan struct{})
	go func() { _ = w.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("Close hung")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if _, err := net.DialTimeout("tcp", w.HostAddrPort("mx.idle.test"), time.Second); err == nil {
		t.Error("host still accepting after Close")
	}
}
