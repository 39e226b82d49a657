package verify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mailvet/verify/mailsim"
)

func TestExpiringMapStaysWithinItsBound(t *testing.T) {
	m := newExpiringMap[int](1000)
	later := time.Now().Add(time.Hour)
	for i := range 200_000 {
		m.put(fmt.Sprintf("d%d.test", i), i, later)
		if n := m.len(); n > 1000 {
			t.Fatalf("after %d puts the map holds %d entries, bound 1000", i+1, n)
		}
	}
	// The newest entry is always kept, and expired ones are never returned.
	if v, ok := m.get("d199999.test"); !ok || v != 199999 {
		t.Fatalf("newest entry: %v %v", v, ok)
	}
	m.put("gone.test", 1, time.Now().Add(-time.Second))
	if _, ok := m.get("gone.test"); ok {
		t.Fatal("an expired entry was returned")
	}
}

// Thousands of distinct domains through the engine leave its DNS cache
// and catch-all memory at their bound, and the pool forgets hosts it no
// longer uses.
func TestEngineMemoryIsBoundedOverManyDomains(t *testing.T) {
	const domains, bound = 3000, 256
	cfg := mailsim.Config{Hosts: []mailsim.Host{{Name: "mx.shared.test"}}}
	emails := make([]string, 0, domains)
	for i := range domains {
		name := fmt.Sprintf("d%04d.test", i)
		cfg.Domains = append(cfg.Domains, mailsim.Domain{Name: name, MX: []mailsim.MX{{Host: "mx.shared.test"}}, Mailboxes: []string{"jane"}})
		emails = append(emails, "jane@"+name)
	}
	w := mailsim.Start(t, cfg)
	vc := DefaultConfig()
	vc.DNSServer, vc.SMTPPort = w.DNSAddr(), w.SMTPPort()
	vc.HeloName, vc.MailFrom = "probe.mailvet.test", "verify@mailvet.test"
	vc.ConnectTimeout, vc.CommandTimeout, vc.DNSTimeout = 5*time.Second, 5*time.Second, 2*time.Second
	vc.MemoryEntries = bound
	vc.DNSCanaries = nil              // no canary check against real providers unknown to the world
	vc.IdleTimeout = time.Millisecond // so one sweep may forget the host
	v, err := New(vc)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	deliverable := 0
	v.VerifyBatch(context.Background(), emails, Share{}, func(_ int, r Result) {
		if r.Status == Deliverable {
			deliverable++
		}
	})
	if deliverable != domains {
		t.Fatalf("%d of %d addresses deliverable", deliverable, domains)
	}
	if n := v.resolver.cache.len(); n > bound {
		t.Fatalf("DNS cache holds %d domains, bound %d", n, bound)
	}
	if n := v.catchAll.m.len(); n > bound {
		t.Fatalf("catch-all memory holds %d domains, bound %d", n, bound)
	}
	if v.pool.hostCount() == 0 {
		t.Fatal("the pool remembers no host right after using one")
	}
	deadline := time.Now().Add(30 * time.Second)
	for v.pool.hostCount() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the pool still remembers %d hosts after every connection went idle", v.pool.hostCount())
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not guessing a delay
		v.pool.sweep()
	}
}
