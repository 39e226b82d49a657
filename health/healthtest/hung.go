// Package healthtest holds what the health checks' tests share.
package healthtest

import (
	"net"
	"sync"
	"testing"
)

// Hung listens on loopback, accepts every connection and neither writes
// to it nor closes it until the test ends: a dependency that hangs (a
// firewall that swallows packets once the handshake is done, a wedged
// server). It returns the listener's host:port.
func Hung(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	return l.Addr().String()
}
