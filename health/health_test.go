package health_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mailvet/health"
)

func ok(context.Context) (string, error) { return "fine", nil }

func failing(context.Context) (string, error) { return "", errors.New("broken") }

// hang ignores its deadline until the test ends, as a call stuck in the
// kernel (a dead NFS mount) would.
func hang(t *testing.T) health.Probe {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func(context.Context) (string, error) {
		<-release
		return "", nil
	}
}

func byName(t *testing.T, r health.Report, name string) health.Result {
	t.Helper()
	for _, c := range r.Checks {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no check %q in %+v", name, r)
	return health.Result{}
}

func TestReportStatus(t *testing.T) {
	for _, c := range []struct {
		name   string
		checks []health.Check
		want   health.Status
		code   int
	}{
		{"all ok", []health.Check{{Name: "db", Required: true, Probe: ok}, {Name: "dns", Probe: ok}}, health.OK, http.StatusOK},
		{"not configured is no failure", []health.Check{{Name: "db", Required: true, Probe: ok}, {Name: "stripe", Unconfigured: "billing off"}},
			health.OK, http.StatusOK},
		{"optional fails", []health.Check{{Name: "db", Required: true, Probe: ok}, {Name: "dns", Probe: failing}}, health.Degraded, http.StatusOK},
		{"required fails", []health.Check{{Name: "db", Required: true, Probe: failing}, {Name: "dns", Probe: failing}},
			health.Failing, http.StatusServiceUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := health.New(c.checks...).Run(t.Context())
			if r.Status != c.want || r.HTTPStatus() != c.code {
				t.Fatalf("report %+v: want %s, %d", r, c.want, c.code)
			}
		})
	}
	r := health.New(health.Check{Name: "stripe", Unconfigured: "billing off"}).Run(t.Context())
	if got := byName(t, r, "stripe"); got.Status != health.NotConfigured || got.Detail != "billing off" {
		t.Fatalf("unconfigured check %+v", got)
	}
}

// A probe that ignores its deadline holds up neither the report nor the
// other checks: it is failing, timed out, by its own timeout.
func TestHungProbeTimesOut(t *testing.T) {
	c := health.New(
		health.Check{Name: "db", Required: true, Probe: ok},
		health.Check{Name: "smtp", Timeout: 50 * time.Millisecond, Probe: hang(t)},
	)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	got := make(chan health.Report, 1)
	go func() { got <- c.Run(ctx) }()
	var r health.Report
	select {
	case r = <-got:
	case <-ctx.Done():
		t.Fatal("Run did not return before the caller's deadline")
	}
	if r.Status != health.Degraded {
		t.Fatalf("report %+v", r)
	}
	if s := byName(t, r, "smtp"); s.Status != health.Failing || !strings.Contains(s.Detail, "timed out") {
		t.Fatalf("hung check %+v", s)
	}
	if s := byName(t, r, "db"); s.Status != health.OK || s.Detail != "fine" {
		t.Fatalf("other check %+v", s)
	}
	if f := r.Failing(); len(f) != 1 || f[0].Name != "smtp" {
		t.Fatalf("failing %+v", f)
	}
}

// A probe honouring its deadline reports its own error, marked a timeout.
func TestProbeDeadlineIsATimeout(t *testing.T) {
	slow := func(ctx context.Context) (string, error) {
		<-ctx.Done()
		return "", ctx.Err()
	}
	r := health.New(health.Check{Name: "stripe", Timeout: 20 * time.Millisecond, Probe: slow}).Run(t.Context())
	if s := byName(t, r, "stripe"); s.Status != health.Failing || !strings.Contains(s.Detail, "timed out") {
		t.Fatalf("slow check %+v", s)
	}
}

// Within Reuse the dependency is not asked again; concurrent reports
// share the one probe in flight.
func TestResultsAreReusedAndShared(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	counted := func(context.Context) (string, error) {
		calls.Add(1)
		<-release
		return "", nil
	}
	c := health.New(health.Check{Name: "mx", Reuse: time.Hour, Probe: counted})
	var wg sync.WaitGroup
	reports := make([]health.Report, 5)
	for i := range reports {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reports[i] = c.Run(t.Context())
		}()
	}
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	c.Run(t.Context())
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d probes, want 1", n)
	}
	for _, r := range reports {
		if r.Status != health.OK {
			t.Fatalf("report %+v", r)
		}
	}
}

func TestDiskFree(t *testing.T) {
	dir := t.TempDir()
	r := health.New(
		health.Check{Name: "roomy", Probe: health.DiskFree(dir, 1)},
		health.Check{Name: "full", Probe: health.DiskFree(dir, 1<<62)},
		health.Check{Name: "gone", Probe: health.DiskFree(dir+"/missing", 1)},
	).Run(t.Context())
	if s := byName(t, r, "roomy"); s.Status != health.OK || !strings.Contains(s.Detail, "free in") {
		t.Fatalf("roomy %+v", s)
	}
	if s := byName(t, r, "full"); s.Status != health.Failing || !strings.Contains(s.Detail, "below 4.0 EiB") {
		t.Fatalf("full %+v", s)
	}
	if s := byName(t, r, "gone"); s.Status != health.Failing {
		t.Fatalf("missing dir %+v", s)
	}
}
