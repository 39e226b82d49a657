package listbench

import (
	"bufio"
	"bytes"
	"os"
	"runtime/metrics"
	"strconv"
	"sync"
	"time"
)

// PeakRSS is the process's peak resident set size (VmHWM in
// /proc/self/status), in bytes; 0 where /proc is unavailable.
func PeakRSS() uint64 { return procStatus("VmHWM:") }

// RSS is the process's resident set size now (VmRSS), in bytes.
func RSS() uint64 { return procStatus("VmRSS:") }

// ResetPeakRSS sets VmHWM back to the current RSS (Linux ≥ 4.0: writing
// 5 to /proc/self/clear_refs), so that the next PeakRSS is the peak of
// what follows. It reports whether the reset took.
func ResetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

func procStatus(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Bytes()
		if !bytes.HasPrefix(line, []byte(field)) {
			continue
		}
		v := bytes.Fields(line[len(field):]) // "123456", "kB"
		if len(v) == 0 {
			return 0
		}
		n, err := strconv.ParseUint(string(v[0]), 10, 64)
		if err != nil {
			return 0
		}
		return n << 10
	}
	return 0
}

// heapSampler records the largest Go heap (bytes of allocated objects,
// live or not yet swept) seen while it runs.
type heapSampler struct {
	stop chan struct{}
	done sync.WaitGroup
	max  uint64
}

func startHeapSampler(every time.Duration) *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.done.Go(func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			metrics.Read(s)
			h.max = max(h.max, s[0].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
		}
	})
	return h
}

// Stop ends sampling and returns the largest heap seen.
func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.done.Wait()
	return h.max
}

// HeapObjects is the current size of allocated heap objects.
func HeapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// MB turns bytes into megabytes (10^6, as targets are stated).
func MB(b uint64) float64 { return float64(b) / 1e6 }
