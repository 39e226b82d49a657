package mailsim

import (
	"net"
	"sync"
	"time"
)

// maxQueued bounds the bytes waiting in a latencyConn, so that a hostile
// endless reply to a client that does not read cannot grow memory forever.
const maxQueued = 1 << 20

type pendingWrite struct {
	due  time.Time
	data []byte
}

// latencyConn wraps the server side of a connection so that every Write is
// delivered to the peer `delay` after it was made, by a per-connection pump
// goroutine that preserves order. Writes return at once. This models network
// round-trip time rather than server slowness: ten replies written back to
// back (a pipelined batch) all arrive ~delay later, not 10×delay later.
// Reads are not delayed; the whole RTT is charged to the reply direction.
type latencyConn struct {
	net.Conn // the raw connection; Read and deadlines pass through
	delay    time.Duration

	mu      sync.Mutex
	cond    *sync.Cond // signalled on queue changes, pump errors and abort
	queue   []pendingWrite
	queued  int   // bytes in queue
	werr    error // first error writing to the raw connection
	closing bool  // no more writes; pump exits once drained
	aborted bool
	abort   chan struct{} // closed by Abort to interrupt the pump's sleep
	done    chan struct{} // closed when the pump exits
}

func newLatencyConn(c net.Conn, delay time.Duration) *latencyConn {
	lc := &latencyConn{Conn: c, delay: delay, abort: make(chan struct{}), done: make(chan struct{})}
	lc.cond = sync.NewCond(&lc.mu)
	if delay > 0 {
		go lc.pump()
	} else {
		close(lc.done)
	}
	return lc
}

func (lc *latencyConn) Write(p []byte) (int, error) {
	if lc.delay <= 0 {
		return lc.Conn.Write(p)
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for lc.queued > maxQueued && lc.werr == nil && !lc.aborted {
		lc.cond.Wait()
	}
	switch {
	case lc.werr != nil:
		return 0, lc.werr
	case lc.aborted || lc.closing:
		return 0, net.ErrClosed
	}
	lc.queue = append(lc.queue, pendingWrite{due: time.Now().Add(lc.delay), data: append([]byte(nil), p...)})
	lc.queued += len(p)
	lc.cond.Broadcast()
	return len(p), nil
}

func (lc *latencyConn) pump() {
	defer close(lc.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		lc.mu.Lock()
		for len(lc.queue) == 0 && !lc.closing && !lc.aborted {
			lc.cond.Wait()
		}
		if lc.aborted || len(lc.queue) == 0 {
			lc.mu.Unlock()
			return
		}
		pw := lc.queue[0]
		lc.mu.Unlock()

		if wait := time.Until(pw.due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-lc.abort:
				return
			}
		}
		_, err := lc.Conn.Write(pw.data)

		lc.mu.Lock()
		lc.queue[0] = pendingWrite{}
		lc.queue = lc.queue[1:]
		lc.queued -= len(pw.data)
		if err != nil {
			lc.werr = err
		}
		lc.cond.Broadcast()
		lc.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// Flush blocks until every queued write has reached the raw connection (or
// failed, or the connection was aborted).
func (lc *latencyConn) Flush() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for len(lc.queue) > 0 && lc.werr == nil && !lc.aborted {
		lc.cond.Wait()
	}
}

// Close delivers pending writes, then closes the raw connection.
func (lc *latencyConn) Close() error {
	lc.Flush()
	lc.mu.Lock()
	lc.closing = true
	lc.cond.Broadcast()
	lc.mu.Unlock()
	<-lc.done
	return lc.Conn.Close()
}

// Abort closes the raw connection at once, discarding pending writes.
func (lc *latencyConn) Abort() {
	lc.mu.Lock()
	if !lc.aborted {
		lc.aborted = true
		close(lc.abort)
		lc.cond.Broadcast()
	}
	lc.mu.Unlock()
	_ = lc.Conn.Close()
}

// gracefulClose delivers pending replies, sends FIN, and discards whatever
// the client still sends for a moment before closing. Closing a socket with
// unread input makes Linux send RST, which can destroy replies the client
// has not read yet; the half-close avoids that.
func (lc *latencyConn) gracefulClose() {
	lc.Flush()
	if tc, ok := lc.Conn.(*net.TCPConn); ok {
		_ = tc.CloseWrite()
		_ = tc.SetReadDeadline(time.Now().Add(time.Second))
		buf := make([]byte, 4096)
		for {
			if _, err := tc.Read(buf); err != nil {
				break
			}
		}
	}
	_ = lc.Close()
}
