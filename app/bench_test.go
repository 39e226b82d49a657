package app_test

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkVerifyCacheHit measures POST /v1/verify answered from the cache
// through the whole stack: HTTP, key authentication, plan lookup, rate
// limit, rules, cache, the verifications record. Requests come from 16
// concurrent clients over loopback; it reports requests per second and the
// 99th percentile latency.
func BenchmarkVerifyCacheHit(b *testing.B) {
	h := newHarness(b)
	owner := h.signUp("Bench", "ann@bench.test")
	res := owner.post("/keys", map[string][]string{"name": {"bench"}, "mode": {"live"}})
	key := secretRE.FindString(res.body)
	ctx := b.Context()
	// A plan whose rate limit and quota never stop the benchmark: they are
	// still checked on every request.
	if _, err := h.db.Pool.Exec(ctx, `INSERT INTO plans (id, name, price_cents, daily_limit, monthly_included, monthly_limit, rate_per_minute, max_list_rows)
		VALUES ('bench', 'Bench', 0, 100000000, 100000000, 100000000, 100000000, 1000);
		INSERT INTO subscriptions (tenant_id, plan_id, status) SELECT id, 'bench', 'active' FROM tenants`); err != nil {
		b.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	call := func() (time.Duration, int) {
		req, _ := http.NewRequest("POST", h.srv.URL+"/v1/verify", strings.NewReader(`{"email":"ann@shop.test"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		return time.Since(start), resp.StatusCode
	}
	if _, code := call(); code != http.StatusOK { // fills the cache
		b.Fatalf("warm-up: %d", code)
	}
	const clients = 8
	b.ResetTimer()
	start := time.Now()
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	next := make(chan struct{}, clients)
	go func() {
		for range b.N {
			next <- struct{}{}
		}
		close(next)
	}()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for range next {
				d, code := call()
				if code != http.StatusOK {
					b.Errorf("status %d", code)
					return
				}
				mine = append(mine, d)
			}
			mu.Lock()
			latencies = append(latencies, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(latencies)
	if len(latencies) > 0 {
		p99 := latencies[min(len(latencies)-1, len(latencies)*99/100)]
		b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(p99.Microseconds())/1000, "p99_ms")
	}
}
