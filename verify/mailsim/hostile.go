package mailsim

import (
	"bytes"
	"time"
)

const (
	defaultHugeLine = 10 << 20 // 10 MiB
	trickleEvery    = 50 * time.Millisecond
	hostileChunk    = 64 << 10
)

// hostile replaces a reply by the configured malicious one. Every mode ends
// when the client closes the connection (a write or read fails) or when the
// world closes; none of them is bounded otherwise, which is the point: the
// client's own limits must end the exchange.
func (s *session) hostile() {
	hm := s.h.cfg.Hostile
	s.w.logf("smtp %s: hostile mode %d", s.h.name, hm.Mode)
	switch hm.Mode {
	case HostileSilent:
		s.drain()
	case HostilePartial:
		s.write([]byte("250 "))
		s.drain()
	case HostileTrickle:
		if _, err := s.conn.Write([]byte("250 ")); err != nil {
			return
		}
		t := time.NewTicker(trickleEvery)
		defer t.Stop()
		for {
			select {
			case <-s.w.done:
				return
			case <-t.C:
			}
			if _, err := s.conn.Write([]byte("x")); err != nil {
				return
			}
		}
	case HostileHugeLine:
		size := hm.Size
		if size <= 0 {
			size = defaultHugeLine
		}
		if _, err := s.conn.Write([]byte("250 ")); err != nil {
			return
		}
		chunk := bytes.Repeat([]byte("x"), hostileChunk)
		for left := size; left > 0; left -= len(chunk) {
			if _, err := s.conn.Write(chunk[:min(left, len(chunk))]); err != nil {
				return
			}
		}
		s.write([]byte("\r\n"))
		s.drain()
	case HostileEndless:
		line := append([]byte("250-"), bytes.Repeat([]byte("x"), 72)...)
		line = append(line, "\r\n"...)
		chunk := bytes.Repeat(line, hostileChunk/len(line))
		for {
			select {
			case <-s.w.done:
				return
			default:
			}
			if _, err := s.conn.Write(chunk); err != nil {
				return
			}
		}
	}
}

// drain reads and discards input until the client closes the connection,
// the idle timeout expires or the world closes (which aborts the conn).
func (s *session) drain() {
	buf := make([]byte, 4096)
	for {
		_ = s.lc.SetReadDeadline(time.Now().Add(idleTimeout))
		if _, err := s.conn.Read(buf); err != nil {
			return
		}
	}
}
