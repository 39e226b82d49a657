package lists

import (
	"math"
	"testing"
	"time"
)

// base is the clock of these tests: every time is base plus a span, so no
// test depends on the wall clock.
var base = time.Date(2026, 12, 2, 1, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func running(unique, processed int) List {
	started := at(0)
	return List{Status: StatusRunning, UniqueRows: unique, ProcessedRows: processed, StartedAt: &started}
}

func TestProgressStaysBelow100UntilFinished(t *testing.T) {
	for _, c := range []struct {
		l    List
		want float64
	}{
		{running(200_000, 199_164), RunningProgressCap}, // 836 deferred: 99.58 % shown as 99
		{running(3, 3), RunningProgressCap},             // the last batch written, the list not yet completed
		{running(4, 1), 25},
		{List{Status: StatusQueued, UniqueRows: 0}, 0},
		{List{Status: StatusCompleted, UniqueRows: 3, ProcessedRows: 3}, 100},
		{List{Status: StatusCompleted, UniqueRows: 0}, 100},
		{List{Status: StatusCancelled, UniqueRows: 4, ProcessedRows: 1}, 25},
	} {
		if got := c.l.Progress(); got != c.want {
			t.Errorf("%s %d/%d: progress %v, want %v", c.l.Status, c.l.ProcessedRows, c.l.UniqueRows, got, c.want)
		}
	}
}

// apply moves l's rate window as the batch writer does.
func apply(l *List, when time.Time, processed int) {
	w := l.rateWindow().advance(when, processed)
	l.ProcessedRows = processed
	l.RateMarkAt, l.RateMarkRows, l.RecentRate, l.RecentRateAt = w.markAt, w.markRows, w.rate, w.rateAt
}

func TestRateNeedsAFullWindowOfProcessing(t *testing.T) {
	// The list waited 10 minutes in the queue: started_at counts that, the
	// window does not.
	l := running(200_000, 0)
	apply(&l, at(10*time.Minute), 100) // the first batch only opens the window
	if r := l.Rate(at(10 * time.Minute)); r != 0 {
		t.Fatalf("rate %v from a single write", r)
	}
	if _, ok := l.ETA(at(10 * time.Minute)); ok {
		t.Fatal("an estimate before a full window")
	}
	apply(&l, at(10*time.Minute+4*time.Second), 500) // 4 s: the window is still open
	if _, ok := l.ETA(at(10*time.Minute + 4*time.Second)); ok {
		t.Fatal("an estimate from a 4 s window")
	}
	apply(&l, at(10*time.Minute+5*time.Second), 1100) // 1,000 rows in 5 s
	now := at(10*time.Minute + 5*time.Second)
	if r := l.Rate(now); r != 200 {
		t.Fatalf("rate %v, want 200", r)
	}
	eta, ok := l.ETA(now)
	if want := time.Duration((200_000-1100)/200) * time.Second; !ok || eta < want || eta > want+time.Second {
		t.Fatalf("eta %v %v, want %v", eta, ok, want)
	}
	// The next window measures only what came after.
	apply(&l, at(10*time.Minute+11*time.Second), 1700)
	if r := l.Rate(at(10*time.Minute + 11*time.Second)); r != 100 {
		t.Fatalf("second window rate %v, want 100", r)
	}
}

func TestRateIgnoresPausesAndGoesStale(t *testing.T) {
	l := running(1000, 0)
	apply(&l, at(0), 100)
	apply(&l, at(10*time.Second), 600) // 50 rows/s
	// Nothing written for longer than rateWindowMax: the list is paused
	// (its rows wait for a retry), the old rate says nothing about now.
	later := at(10*time.Second + rateWindowMax + time.Second)
	if r := l.Rate(later); r != 0 {
		t.Fatalf("stale rate %v", r)
	}
	if _, ok := l.ETA(later); ok {
		t.Fatal("an estimate from a stale rate")
	}
	// The write after the pause opens a new window instead of closing one
	// that would count the pause as processing.
	apply(&l, later, 700)
	if l.RateMarkAt == nil || !l.RateMarkAt.Equal(later) || l.RateMarkRows != 700 {
		t.Fatalf("window not restarted after a pause: %+v", l.rateWindow())
	}
	apply(&l, later.Add(5*time.Second), 800)
	if r := l.Rate(later.Add(5 * time.Second)); r != 20 {
		t.Fatalf("rate after the pause %v, want 20", r)
	}
}

func TestNoEstimateWhenOnlyDeferredRowsAreLeft(t *testing.T) {
	l := running(200_000, 0)
	apply(&l, at(0), 100_000)
	apply(&l, at(10*time.Second), 199_164)
	l.DeferredRows = 836
	retry := at(21 * time.Minute)
	l.NextRetryAt = &retry
	if l.ActiveRows() != 0 {
		t.Fatalf("active rows %d", l.ActiveRows())
	}
	if eta, ok := l.ETA(at(11 * time.Second)); ok {
		t.Fatalf(`"%v left" while every row left waits for its retry`, eta)
	}
	// With other rows still to verify the estimate covers those only.
	l.DeferredRows = 436
	eta, ok := l.ETA(at(11 * time.Second))
	if rate := l.Rate(at(11 * time.Second)); !ok || eta != time.Duration(math.Ceil(400/rate))*time.Second {
		t.Fatalf("eta %v %v at %v rows/s", eta, ok, rate)
	}
}

func TestFinishedListsHaveNoTimeLeftAndTheirAverageRate(t *testing.T) {
	l := running(1000, 1000)
	done := at(100 * time.Second)
	l.Status, l.CompletedAt = StatusCompleted, &done
	if eta, ok := l.ETA(at(time.Hour)); !ok || eta != 0 {
		t.Fatalf("eta %v %v", eta, ok)
	}
	if r := l.Rate(at(time.Hour)); r != 10 {
		t.Fatalf("rate %v, want 10", r)
	}
}
