package mxslots_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"mailvet/db/dbtest"
	"mailvet/mxslots"
	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// Two worker processes (two engines, each with its own pool, as two
// processes have) probing one farm from the same identity keep to the cap
// of 5 per MX together: the farm, which would take 50, never sees more
// than 5 connections at once to one MX, and every verdict is right.
// Without the shared slots the same work opens more than 5.
func TestTwoProcessesKeepOneCapPerMX(t *testing.T) {
	d := dbtest.New(t)
	farm := mailsim.ReferenceFarm(3, mailsim.FarmOptions{Addresses: 2000, Domains: 40, MaxConnsPerMX: 50, Latency: 5 * time.Millisecond})
	world := mailsim.Start(t, farm.Config())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := func(slots verify.ConnSlots) *verify.Verifier {
		cfg := verify.DefaultConfig()
		cfg.DNSServer, cfg.SMTPPort, cfg.DNSCanaries = world.DNSAddr(), world.SMTPPort(), nil
		cfg.MaxConnsPerHost, cfg.MaxRcptsPerTxn = 5, 20 // many transactions, so many connections are wanted
		if slots != nil {
			cfg.Slots = slots
		}
		v, err := verify.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(v.Close)
		return v
	}
	peak := func(engines ...*verify.Verifier) int {
		t.Helper()
		world.ResetStats()
		var wg sync.WaitGroup
		for _, v := range engines {
			wg.Go(func() {
				emails := farm.Emails()
				v.VerifyBatch(context.Background(), emails, verify.Share{}, func(i int, r verify.Result) {
					if want := farm.Addresses[i].Expect; want == mailsim.OutcomeExists && r.Status != verify.Deliverable {
						t.Errorf("%s: %s/%s, want deliverable", r.Email, r.Status, r.Reason)
					}
				})
			})
		}
		wg.Wait()
		most := 0
		for _, h := range world.Hosts() {
			most = max(most, world.Stats(h).PeakActive)
		}
		return most
	}

	a, b := mxslots.New(d, "shared", log), mxslots.New(d, "shared", log)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	if got := peak(engine(a), engine(b)); got > 5 {
		t.Fatalf("with shared slots an MX saw %d connections at once, want at most 5", got)
	}
	if got := peak(engine(nil), engine(nil)); got <= 5 {
		t.Fatalf("without shared slots an MX saw at most %d connections at once: the test would pass without them", got)
	}
}

// Another identity's slots are its own; within one, a slot held is taken
// by nobody else until it is given back.
func TestSlotsOfAnotherIdentityAreSeparate(t *testing.T) {
	d := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, b := mxslots.New(d, "ip-a", log), mxslots.New(d, "ip-b", log)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	ctx := context.Background()
	take := func(s *mxslots.Slots) (func(), bool) {
		t.Helper()
		release, ok, err := s.TryAcquire(ctx, "192.0.2.1:25", 1)
		if err != nil {
			t.Fatal(err)
		}
		return release, ok
	}
	releaseA, ok := take(a)
	if !ok {
		t.Fatal("ip-a got no slot of a free host")
	}
	if _, ok := take(b); !ok {
		t.Fatal("ip-b got no slot: another identity's slot counted against it")
	}
	// The same identity gets none while the slot is held, and gets it
	// once it is given back.
	a2 := mxslots.New(d, "ip-a", log)
	t.Cleanup(a2.Close)
	if _, ok := take(a2); ok {
		t.Fatal("a second process of ip-a got the host's only slot while the first held it")
	}
	releaseA()
	if _, ok := take(a2); !ok {
		t.Fatal("the slot given back was not free")
	}
}

// A process waiting for a host's only slot is seen by its holder:
// HandOver says so at the holder's next look; the waiter is never asked
// to hand over for its own wait.
func TestHolderSeesAWaitOnce(t *testing.T) {
	d := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, b := mxslots.New(d, "shared", log), mxslots.New(d, "shared", log)
	t.Cleanup(a.Close)
	t.Cleanup(b.Close)
	ctx := context.Background()
	const mx = "192.0.2.9:25"
	if _, ok, err := a.TryAcquire(ctx, mx, 1); err != nil || !ok {
		t.Fatalf("a: %v %v", ok, err)
	}
	if a.HandOver(mx) {
		t.Fatal("a was asked to hand over before anyone waited")
	}
	if _, ok, err := b.TryAcquire(ctx, mx, 1); err != nil || ok {
		t.Fatalf("b got the held slot: %v %v", ok, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !a.HandOver(mx) {
		if time.Now().After(deadline) {
			t.Fatal("a never saw b waiting")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if b.HandOver(mx) {
		t.Fatal("b was asked to hand over for its own wait")
	}
}
