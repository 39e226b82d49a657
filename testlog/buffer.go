// Package testlog is for tests that read what the code under test writes
// from goroutines of its own: a log, a process's error output.
package testlog

import (
	"bytes"
	"sync"
)

// Buffer is an io.Writer that goroutines write to while a test reads it.
// The zero value is ready to use.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
