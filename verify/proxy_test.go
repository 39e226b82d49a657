package verify_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"strconv"
	"sync/atomic"
	"testing"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// socks5 is a minimal SOCKS5 server (no auth, CONNECT only, RFC 1928),
// enough to prove the engine's probes go through the configured proxy.
type socks5 struct {
	addr    string
	tunnels atomic.Int32
}

func startSOCKS5(t *testing.T) *socks5 {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &socks5{addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *socks5) serve(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 262)
	// Greeting: VER NMETHODS METHODS…; answer "no authentication".
	if _, err := io.ReadFull(c, buf[:2]); err != nil || buf[0] != 5 {
		return
	}
	if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
		return
	}
	c.Write([]byte{5, 0})
	// Request: VER CMD RSV ATYP DST.ADDR DST.PORT.
	if _, err := io.ReadFull(c, buf[:4]); err != nil || buf[1] != 1 {
		return
	}
	var host string
	switch buf[3] {
	case 1:
		io.ReadFull(c, buf[:4])
		host = net.IP(buf[:4]).String()
	case 3:
		io.ReadFull(c, buf[:1])
		n := int(buf[0])
		io.ReadFull(c, buf[:n])
		host = string(buf[:n])
	default:
		return
	}
	io.ReadFull(c, buf[:2])
	port := binary.BigEndian.Uint16(buf[:2])
	up, err := net.Dial("tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
	if err != nil {
		c.Write([]byte{5, 5, 0, 1, 0, 0, 0, 0, 0, 0})
		return
	}
	defer up.Close()
	s.tunnels.Add(1)
	c.Write([]byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0})
	go io.Copy(up, c)
	io.Copy(c, up)
}

func TestProbesGoThroughSOCKS5Proxy(t *testing.T) {
	w := world(t, []mailsim.Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}})
	proxy := startSOCKS5(t)
	v := engineFor(t, w, func(c *verify.Config) { c.Proxy = "socks5://" + proxy.addr })
	want(t, v.Verify(context.Background(), "ann@acme.test"), verify.Deliverable, verify.ReasonAccepted)
	if proxy.tunnels.Load() != 1 {
		t.Fatalf("%d tunnels through the proxy, want 1", proxy.tunnels.Load())
	}
	if _, err := verify.New(verify.Config{Proxy: "http://nope"}); err == nil {
		t.Fatal("a non-SOCKS proxy URL was accepted")
	}
}
