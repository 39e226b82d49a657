package audit_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailvet/audit"
	"mailvet/db"
)

// countingWriter counts what an export writes and keeps none of it.
type countingWriter struct{ bytes, lines int64 }

func (c *countingWriter) Write(b []byte) (int, error) {
	c.bytes += int64(len(b))
	c.lines += int64(strings.Count(string(b), "\n"))
	return len(b), nil
}

// An export of a million events streams with flat memory: the heap in use
// while it runs stays under a fixed bound, whatever the number of rows.
// Opt-in (it seeds 1,000,000 rows): MAILVET_AUDIT_MILLION=1.
//
//	MAILVET_AUDIT_MILLION=1 go test -count=1 -run TestExportMillionEventsFlatMemory -v ./audit/
func TestExportMillionEventsFlatMemory(t *testing.T) {
	if os.Getenv("MAILVET_AUDIT_MILLION") != "1" {
		t.Skip("set MAILVET_AUDIT_MILLION=1 to export 1,000,000 seeded events")
	}
	rows := 1_000_000
	if n, err := strconv.Atoi(os.Getenv("MAILVET_AUDIT_ROWS")); err == nil && n > 0 {
		rows = n // a shorter run, to try it out
	}
	f := newFixture(t)
	ctx := context.Background()
	start := time.Now()
	err := f.d.Tx(ctx, db.Tenant(f.a), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_events (tenant_id, actor_kind, actor_email, action, target_type, target_id,
				ip, user_agent, request_id, metadata, changes, created_at)
			SELECT ?, 'user', 'ann@a.example', 'api_key.limits_changed', 'api_key', md5(g::text), '203.0.113.1',
				'Mozilla/5.0 (X11; Linux x86_64)', md5((g * 7)::text),
				jsonb_build_object('prefix', 'mv_live_' || left(md5(g::text), 8), 'n', g),
				jsonb_build_object('daily_limit', jsonb_build_object('before', g, 'after', g + 1)),
				now() - make_interval(secs => g)
			FROM generate_series(1, ?) AS g`, f.a, rows)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d events in %s", rows, time.Since(start).Round(time.Millisecond))

	for _, format := range []audit.Format{audit.CSV, audit.JSONLines} {
		runtime.GC()
		var base runtime.MemStats
		runtime.ReadMemStats(&base)
		var peak atomic.Uint64
		done := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			var m runtime.MemStats
			for {
				select {
				case <-done:
					return
				case <-tick.C:
					runtime.ReadMemStats(&m)
					if m.HeapInuse > peak.Load() {
						peak.Store(m.HeapInuse)
					}
				}
			}
		}()
		w := &countingWriter{}
		start := time.Now()
		err := f.store.Export(ctx, f.a, audit.Filter{}, format, w, f.ownA)
		close(done)
		<-sampled
		if err != nil {
			t.Fatal(err)
		}
		want := int64(rows)
		if format == audit.CSV {
			want++ // the header
		}
		if w.lines != want {
			t.Fatalf("%s export wrote %d lines, want %d", format, w.lines, want)
		}
		grew := int64(peak.Load()) - int64(base.HeapInuse)
		t.Logf("%s: %d events, %d MB written in %s; heap in use %d MB before, peak %d MB (+%d MB); peak RSS %s",
			format, rows, w.bytes>>20, time.Since(start).Round(time.Millisecond), base.HeapInuse>>20, peak.Load()>>20, grew>>20, peakRSS())
		// One chunk of 1,000 events is a few MB; the whole file is hundreds.
		if grew > 48<<20 {
			t.Fatalf("%s export grew the heap by %d MB: it does not stream", format, grew>>20)
		}
	}
}

// peakRSS is the process's resident high-water mark (Linux), for the log.
func peakRSS() string {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return strconv.Itoa(kb>>10) + " MB"
		}
	}
	return "unknown"
}
