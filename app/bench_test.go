package app_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkVerifyCacheHit measures POST /v1/verify answered from the cache
// through the whole stack: HTTP, key authentication, plan lookup, rate
// limit, rules, cache, the verifications record and its usage rollup.
// Requests cycle through 1,000 distinct cached addresses, as real traffic
// does (a single repeated address would let every statement look alike),
// from 8 concurrent clients over loopback; it reports requests per second
// and the 99th percentile latency.
func BenchmarkVerifyCacheHit(b *testing.B) { benchVerifyCacheHit(b, harnessOptions{}) }

// BenchmarkVerifyCacheHitNoRequestLog is the same with the API request
// log off, the baseline its cost is measured against.
func BenchmarkVerifyCacheHitNoRequestLog(b *testing.B) {
	benchVerifyCacheHit(b, harnessOptions{noRequestLog: true})
}

func benchVerifyCacheHit(b *testing.B, opts harnessOptions) {
	h := newHarness(b, opts)
	owner := h.signUp("Bench", "ann@bench.test")
	res := owner.post("/keys", map[string][]string{"name": {"bench"}, "mode": {"live"}})
	key := secretRE.FindString(res.body)
	ctx := b.Context()
	// A plan whose rate limit and quota never stop the benchmark: they are
	// still checked on every request.
	if _, err := h.sys.Exec(ctx, `INSERT INTO plans (id, name, price_cents, daily_limit, monthly_included, monthly_limit, rate_per_minute, max_list_rows)
		VALUES ('bench', 'Bench', 0, 100000000, 100000000, 100000000, 100000000, 1000);
		INSERT INTO subscriptions (tenant_id, plan_id, status) SELECT id, 'bench', 'active' FROM tenants`); err != nil {
		b.Fatal(err)
	}
	const addresses, clients = 1000, 8
	emails := make([]string, addresses)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%04d@shop.test", i) // undeliverable: a definite, cached answer
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	call := func(email string) (time.Duration, int) {
		req, _ := http.NewRequest("POST", h.srv.URL+"/v1/verify", strings.NewReader(`{"email":"`+email+`"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		// Read to the end so the connection is reused.
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return time.Since(start), resp.StatusCode
	}
	// Fill the cache, 8 at a time.
	run := func(n int, each func(i int)) {
		next := make(chan int, clients)
		go func() {
			for i := range n {
				next <- i
			}
			close(next)
		}()
		var wg sync.WaitGroup
		for range clients {
			wg.Go(func() {
				for i := range next {
					each(i)
				}
			})
		}
		wg.Wait()
	}
	run(addresses, func(i int) {
		if _, code := call(emails[i]); code != http.StatusOK {
			b.Errorf("warm-up %s: %d", emails[i], code)
		}
	})
	if b.Failed() {
		return
	}

	var mu sync.Mutex
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	run(b.N, func(i int) {
		d, code := call(emails[i%addresses])
		if code != http.StatusOK {
			b.Errorf("status %d", code)
			return
		}
		mu.Lock()
		latencies = append(latencies, d)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	// Every measured request must have been a cache hit.
	var hits int
	if err := h.sys.QueryRow(ctx, `SELECT coalesce(sum(cache_hits), 0) FROM usage_daily`).Scan(&hits); err != nil {
		b.Fatal(err)
	}
	if hits != len(latencies) {
		b.Fatalf("%d cache hits for %d requests", hits, len(latencies))
	}
	slices.Sort(latencies)
	if len(latencies) > 0 {
		p99 := latencies[min(len(latencies)-1, len(latencies)*99/100)]
		b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99_ms")
	}
}
