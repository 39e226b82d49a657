package cli_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"mailvet/actor"
	"mailvet/cli"
	"mailvet/db/dbtest"
	"mailvet/tenants"
	"mailvet/testlog"
	"mailvet/verify/mailsim"
)

const metricsToken = "scrape-token-0123456789"

// TestServeMetricsMoveWithTraffic: a scrape of /metrics after API
// verifications, a list and its webhook shows each series moved by what
// was done, and only the token reads it.
func TestServeMetricsMoveWithTraffic(t *testing.T) {
	w := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob", "cy"}}}})
	d, dbURL := dbtest.NewWithURL(t)
	ctx := context.Background()
	svc, _, tenant := workspace(t, d, "Metrics")
	_, key, err := svc.Tenants.CreateAPIKey(ctx, tenant.ID, tenants.NewKeyInput{Name: "k", Mode: tenants.ModeLive}, actor.Operator().In(tenant.ID))
	if err != nil {
		t.Fatal(err)
	}
	var hooks atomic.Int64
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hooks.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	env := processEnv(dbURL)
	env["MAILVET_METRICS_TOKEN"] = metricsToken
	env["MAILVET_DNS_SERVER"], env["MAILVET_SMTP_PORT"] = w.DNSAddr(), strconv.Itoa(w.SMTPPort())
	env["MAILVET_WEBHOOK_ALLOW_CIDRS"] = "127.0.0.0/8"
	base := startProcess(t, "serve", env, "/healthz")
	api := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
		}
		return out
	}

	before := scrape(t, base+"/metrics", metricsToken)
	api("POST", "/v1/verify", `{"email": "ann@shop.test"}`) // the engine
	api("POST", "/v1/verify", `{"email": "ann@shop.test"}`) // the cache
	api("POST", "/v1/webhook_endpoints", `{"url": "`+receiver.URL+`/hook", "events": ["list.completed"]}`)
	list := api("POST", "/v1/lists", `{"name": "three", "emails": ["ann@shop.test", "bob@shop.test", "cy@shop.test"]}`)
	id, _ := list["id"].(string)
	waitFor(t, "the list to complete and its webhook to arrive", func() bool {
		return api("GET", "/v1/lists/"+id, "")["status"] == "completed" && hooks.Load() == 1
	})
	var after families
	// The delivery's attempt is counted after the receiver answered, a
	// job's run once River has marked it completed.
	waitFor(t, "the webhook attempt and the list's job to be counted", func() bool {
		after = scrape(t, base+"/metrics", metricsToken)
		return after.sum("mailvet_webhook_attempts_total", "outcome", "delivered") == 1 &&
			after.sum("mailvet_river_job_duration_seconds_count", "kind", "lists.verify_batch") > 0
	})

	moved := func(name string, want float64, labels ...string) {
		t.Helper()
		if got := after.sum(name, labels...) - before.sum(name, labels...); got != want {
			t.Errorf("%s%v moved by %v, want %v", name, labels, got, want)
		}
	}
	grew := func(name string, labels ...string) {
		t.Helper()
		if after.sum(name, labels...) <= before.sum(name, labels...) {
			t.Errorf("%s%v did not grow: %v then %v", name, labels, before.sum(name, labels...), after.sum(name, labels...))
		}
	}
	moved("mailvet_http_requests_total", 2, "route", "POST /v1/verify", "method", "POST", "status_class", "2xx")
	moved("mailvet_http_request_duration_seconds_count", 2, "route", "POST /v1/verify", "method", "POST")
	moved("mailvet_http_requests_total", 1, "route", "POST /v1/lists", "status_class", "2xx")
	moved("mailvet_verifications_total", 2, "status", "deliverable", "reason", "accepted_email", "source", "api")
	moved("mailvet_verifications_total", 3, "source", "list")
	moved("mailvet_list_rows_processed_total", 3)
	moved("mailvet_cache_lookups_total", 2, "result", "hit") // the API's second call, and ann in the list
	moved("mailvet_cache_lookups_total", 3, "result", "miss")
	moved("mailvet_webhook_attempts_total", 1, "outcome", "delivered")
	moved("mailvet_webhook_dead_letters_total", 0)
	grew("mailvet_engine_duration_seconds_count")
	grew("mailvet_smtp_dials_total")
	grew("mailvet_dns_cache_lookups_total", "result", "miss")
	if after.sum("mailvet_http_requests_in_flight") != 1 { // the scrape itself
		t.Errorf("in flight during a scrape: %v", after.sum("mailvet_http_requests_in_flight"))
	}
	for _, name := range []string{"mailvet_river_jobs", "mailvet_river_queue_depth", "mailvet_river_oldest_available_seconds",
		"mailvet_lists_running", "mailvet_request_log_dropped_total", "mailvet_smtp_connections_open", "mailvet_smtp_replies_total",
		"go_sql_open_connections", "go_goroutines"} {
		if _, ok := after[name]; !ok {
			t.Errorf("no %s", name)
		}
	}
	if after.sum("mailvet_lists_running") != 0 {
		t.Errorf("lists running after the list completed: %v", after.sum("mailvet_lists_running"))
	}
	// No raw path in the labels: the list's id is not a route.
	for _, m := range after["mailvet_http_requests_total"].GetMetric() {
		if route := label(m, "route"); strings.Contains(route, id) {
			t.Errorf("a raw path as a route: %q", route)
		}
	}

	for name, auth := range map[string]string{"no token": "", "a wrong token": "Bearer not-the-scrape-token", "the token unsent as Bearer": "Basic " + metricsToken} {
		req, _ := http.NewRequest("GET", base+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("/metrics with %s: %d, want 401", name, res.StatusCode)
		}
	}
}

// TestMetricsAreNotPublicByDefault: without the token or an address of
// its own, /metrics is not found on the main port.
func TestMetricsAreNotPublicByDefault(t *testing.T) {
	_, dbURL := dbtest.NewWithURL(t)
	base := startProcess(t, "serve", processEnv(dbURL), "/healthz")
	if code := get(t, base+"/metrics", metricsToken); code != http.StatusNotFound {
		t.Fatalf("/metrics without MAILVET_METRICS_TOKEN: %d, want 404", code)
	}
}

// TestMetricsAddrServesItsOwnListener: with MAILVET_METRICS_ADDR, /metrics
// is served there (and nothing else), not on the main port even with the
// token, which the listener requires too; `work`, which has no other
// port, serves it likewise.
func TestMetricsAddrServesItsOwnListener(t *testing.T) {
	_, dbURL := dbtest.NewWithURL(t)
	env := processEnv(dbURL)
	env["MAILVET_METRICS_TOKEN"] = metricsToken
	metricsBase := "127.0.0.1:" + freePort(t)
	env["MAILVET_METRICS_ADDR"] = metricsBase
	base := startProcess(t, "serve", env, "/healthz")
	if code := get(t, base+"/metrics", metricsToken); code != http.StatusNotFound {
		t.Errorf("main port's /metrics with MAILVET_METRICS_ADDR set: %d, want 404", code)
	}
	if f := scrape(t, "http://"+metricsBase+"/metrics", metricsToken); f.sum("mailvet_http_requests_total", "route", "GET /healthz") < 1 {
		t.Errorf("the listener's figures miss the main port's requests")
	}
	if code := get(t, "http://"+metricsBase+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("the listener without the token: %d, want 401", code)
	}
	if code := get(t, "http://"+metricsBase+"/healthz", metricsToken); code != http.StatusNotFound {
		t.Errorf("the listener serves /healthz: %d, want 404", code)
	}

	workEnv := processEnv(dbURL)
	workAddr := "127.0.0.1:" + freePort(t)
	workEnv["MAILVET_METRICS_ADDR"] = workAddr
	startProcess(t, "work", workEnv, "")
	waitFor(t, "work's metrics listener", func() bool { return get(t, "http://"+workAddr+"/metrics", "") == http.StatusOK })
	if f := scrape(t, "http://"+workAddr+"/metrics", ""); len(f["mailvet_river_queue_depth"].GetMetric()) == 0 {
		t.Errorf("work's metrics have no queue depth")
	}
}

func processEnv(dbURL string) map[string]string {
	return map[string]string{
		"DATABASE_URL": dbURL, "MAILVET_DB_ROLE": dbtest.Role, "MAILVET_LOG_LEVEL": "error",
		"MAILVET_SECRET_KEY": "k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", "MAILVET_DNS_CANARIES": "none",
	}
}

// startProcess runs `mailvet <cmd>` in this process on a free port until
// the test ends; with ready, it waits until that path answers.
func startProcess(t *testing.T, cmd string, env map[string]string, ready string) string {
	t.Helper()
	env["PORT"] = freePort(t)
	ctx, stop := context.WithCancel(context.Background())
	// The exit code is read once the process has ended (done), by the
	// readiness wait or by the cleanup, whichever comes first; its error
	// output says why it ended early.
	var code int
	var stderr testlog.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		code = cli.Run(ctx, []string{cmd}, strings.NewReader(""), io.Discard, &stderr, envOf(env))
	}()
	t.Cleanup(func() {
		stop()
		<-done
		if code != 0 {
			t.Errorf("%s exited with %d: %s", cmd, code, stderr.String())
		}
	})
	base := "http://127.0.0.1:" + env["PORT"]
	if ready != "" {
		waitFor(t, cmd+" to answer "+ready, func() bool {
			select {
			case <-done:
				t.Fatalf("%s exited with %d before answering: %s", cmd, code, stderr.String())
			default:
			}
			res, err := http.Get(base + ready)
			if err == nil {
				res.Body.Close()
			}
			return err == nil
		})
	}
	return base
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 60s for %s", what)
		}
	}
}

// get is url's status, 0 when nothing answers there (yet).
func get(t *testing.T, url, token string) int {
	t.Helper()
	res, err := getWith(url, token)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// getWith GETs url with the bearer token, if any.
func getWith(url, token string) (*http.Response, error) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return http.DefaultClient.Do(req)
}

// families are one scrape, parsed as Prometheus parses it.
type families map[string]*dto.MetricFamily

func scrape(t *testing.T, url, token string) families {
	t.Helper()
	res, err := getWith(url, token)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	f, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// sum adds the values of name's series whose labels match the given
// name, value pairs; name may end in _count for a histogram's count.
func (f families) sum(name string, labels ...string) float64 {
	family, count := name, false
	if _, ok := f[name]; !ok && strings.HasSuffix(name, "_count") {
		family, count = strings.TrimSuffix(name, "_count"), true
	}
	total := 0.0
	for _, m := range f[family].GetMetric() {
		match := true
		for i := 0; i+1 < len(labels); i += 2 {
			match = match && label(m, labels[i]) == labels[i+1]
		}
		if !match {
			continue
		}
		switch {
		case count:
			total += float64(m.GetHistogram().GetSampleCount())
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		}
	}
	return total
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
