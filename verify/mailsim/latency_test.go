package mailsim

import (
	"fmt"
	"testing"
	"time"
)

func TestLatencyPipelinedRepliesArriveTogether(t *testing.T) {
	t.Parallel()
	const lat = 50 * time.Millisecond
	w := Start(t, Config{Domains: []Domain{{Name: "far.test", CatchAll: true, Server: Host{Latency: lat}}}})
	start := time.Now()
	c := greeted(t, w, "mx.far.test")
	if d := time.Since(start); d < lat {
		t.Errorf("greeting after %v, want >= %v", d, lat)
	}
	c.cmdExpect("EHLO client.test", 250)

	// Ten pipelined commands: one round trip, not ten.
	cmds := []string{"MAIL FROM:<x@client.test>"}
	for i := range 9 {
		cmds = append(cmds, fmt.Sprintf("RCPT TO:<u%d@far.test>", i))
	}
	start = time.Now()
	c.send(cmds...)
	for range cmds {
		c.expect(250)
	}
	if d := time.Since(start); d < lat || d > 250*time.Millisecond {
		t.Errorf("10 pipelined replies took %v, want about %v (< 250ms)", d, lat)
	}

	// Lock-step commands pay one latency each.
	start = time.Now()
	for range 4 {
		c.cmdExpect("NOOP", 250)
	}
	if d := time.Since(start); d < 4*lat {
		t.Errorf("4 sequential replies took %v, want >= %v", d, 4*lat)
	}
}

func TestLatencyOrderAndClose(t *testing.T) {
	t.Parallel()
	w := Start(t, Config{Domains: []Domain{{Name: "far.test", Mailboxes: []string{"a"}, Server: Host{Latency: 30 * time.Millisecond}}}})
	c := greeted(t, w, "mx.far.test")
	// Replies to a long pipelined batch keep their order, and QUIT's 221 is
	// delivered before the connection closes.
	c.send("EHLO client.test", "MAIL FROM:<x@client.test>", "RCPT TO:<a@far.test>", "RCPT TO:<b@far.test>", "RSET", "QUIT")
	for _, code := range []int{250, 250, 250, 550, 250, 221} {
		c.expect(code)
	}
	c.expectEOF()
}
