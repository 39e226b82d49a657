package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8080 || c.LogFormat != "text" || !c.WebWorkers || c.SessionTTL != 14*24*time.Hour {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if c.BaseURL.String() != "http://localhost:8080" {
		t.Fatalf("base url %s", c.BaseURL)
	}
}

func TestProductionLogsJSON(t *testing.T) {
	c, err := Load(env(map[string]string{"MAILVET_ENV": "production", "PORT": "9000", "MAILVET_SECRET_KEY": "k1:" + strings.Repeat("A", 43) + "="}))
	if err != nil {
		t.Fatal(err)
	}
	if c.LogFormat != "json" || c.BaseURL.String() != "http://localhost:9000" {
		t.Fatalf("got %s %s", c.LogFormat, c.BaseURL)
	}
}

func TestEveryBadSettingIsNamed(t *testing.T) {
	_, err := Load(env(map[string]string{
		"PORT":                "eighty",
		"MAILVET_WORKERS":     "0",
		"MAILVET_SESSION_TTL": "forever",
		"MAILVET_WEB_WORKERS": "maybe",
		"MAILVET_LOG_FORMAT":  "xml",
		"MAILVET_BASE_URL":    "localhost",
		"MAILVET_MAILER_URL":  "http://user:secret@mail.example.com",
		"DATABASE_URL":        "mysql://x",
	}))
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	for _, want := range []string{"PORT=\"eighty\"", "MAILVET_WORKERS", "MAILVET_SESSION_TTL", "MAILVET_WEB_WORKERS", "MAILVET_LOG_FORMAT", "MAILVET_BASE_URL", "MAILVET_MAILER_URL", "DATABASE_URL"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error does not name %s:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("error leaks a password:\n%s", msg)
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := Load(env(map[string]string{"MAILVET_TRUSTED_PROXIES": "10.0.0.0/8, 192.0.2.7,2001:db8::/32"}))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, " ") != "10.0.0.0/8 192.0.2.7/32 2001:db8::/32" {
		t.Fatalf("trusted proxies %v", got)
	}
	if c, _ := Load(env(nil)); len(c.TrustedProxies) != 0 {
		t.Fatalf("trusted proxies by default: %v", c.TrustedProxies)
	}
	for _, bad := range []map[string]string{
		{"MAILVET_TRUSTED_PROXIES": "10.0.0.0/8, proxy.internal"},
		{"MAILVET_TRUST_PROXY": "true"}, // replaced: refused, never silently ignored
		{"MAILVET_METRICS_TOKEN": "short"},
	} {
		if _, err := Load(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		} else if strings.Contains(err.Error(), "short") {
			t.Errorf("error echoes the token: %v", err)
		}
	}
}

func TestDNSCanaries(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "gmail.com,outlook.com,yahoo.com",
		"none":                      "",
		"NONE":                      "",
		" Shop.Test. , gmail.com ,": "shop.test,gmail.com",
		"xn--mnchen-3ya.de":         "xn--mnchen-3ya.de",
	} {
		c, err := Load(env(map[string]string{"MAILVET_DNS_CANARIES": in}))
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := strings.Join(c.DNSCanaries, ","); got != want {
			t.Errorf("MAILVET_DNS_CANARIES=%q: got %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"gmail", "gmail.com;yahoo.com", "-x.com", "a..b", "user@gmail.com", ",", "none,gmail.com"} {
		if _, err := Load(env(map[string]string{"MAILVET_DNS_CANARIES": bad})); err == nil || !strings.Contains(err.Error(), "MAILVET_DNS_CANARIES") {
			t.Errorf("MAILVET_DNS_CANARIES=%q: error %v", bad, err)
		}
	}
}

// Production needs a key to seal secrets with; the retry schedule is a
// list of durations.
func TestWebhookSettings(t *testing.T) {
	if _, err := Load(env(map[string]string{"MAILVET_ENV": "production"})); err == nil || !strings.Contains(err.Error(), "MAILVET_SECRET_KEY") {
		t.Fatalf("production without MAILVET_SECRET_KEY: %v", err)
	}
	c, err := Load(env(map[string]string{"MAILVET_WEBHOOK_RETRY_SCHEDULE": "1s, 1s,2s", "MAILVET_WEBHOOK_ALLOW_CIDRS": "127.0.0.1/32"}))
	if err != nil || len(c.WebhookRetrySchedule) != 3 || c.WebhookRetrySchedule[2] != 2*time.Second || len(c.WebhookAllowCIDRs) != 1 {
		t.Fatalf("%+v %v", c.WebhookRetrySchedule, err)
	}
	if c, _ := Load(env(nil)); len(c.WebhookRetrySchedule) != 7 || c.WebhookRetrySchedule[0] != 5*time.Second {
		t.Fatalf("default schedule %v", c.WebhookRetrySchedule)
	}
	if _, err := Load(env(map[string]string{"MAILVET_WEBHOOK_RETRY_SCHEDULE": "1s,soon"})); err == nil || !strings.Contains(err.Error(), "MAILVET_WEBHOOK_RETRY_SCHEDULE") {
		t.Fatalf("a bad schedule: %v", err)
	}
}

// The request log keeps whole days: a retention is rounded up to one.
func TestRequestLogRetentionIsWholeDays(t *testing.T) {
	c, err := Load(env(map[string]string{"MAILVET_REQUEST_LOG_RETENTION": "36h"}))
	if err != nil || c.RequestLogRetention != 48*time.Hour {
		t.Fatalf("36h: %v, %v; want 48h", c.RequestLogRetention, err)
	}
	if c, _ := Load(env(nil)); c.RequestLogRetention != 30*24*time.Hour || c.RequestLogBuffer != 10000 {
		t.Fatalf("defaults: %v, %d", c.RequestLogRetention, c.RequestLogBuffer)
	}
	if _, err := Load(env(map[string]string{"MAILVET_REQUEST_LOG_RETENTION": "1h"})); err == nil {
		t.Fatal("a retention under a day was taken")
	}
}

func TestAuditRetention(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 400 * 24 * time.Hour, "30d": 30 * 24 * time.Hour, "48h": 48 * time.Hour} {
		m := map[string]string{}
		if v != "" {
			m["MAILVET_AUDIT_RETENTION"] = v
		}
		c, err := Load(env(m))
		if err != nil || c.AuditRetention != want {
			t.Fatalf("MAILVET_AUDIT_RETENTION=%q: %s, %v; want %s", v, c.AuditRetention, err, want)
		}
	}
	for _, bad := range []string{"12h", "0d", "forever", "xd"} {
		if _, err := Load(env(map[string]string{"MAILVET_AUDIT_RETENTION": bad})); err == nil || !strings.Contains(err.Error(), "MAILVET_AUDIT_RETENTION") {
			t.Fatalf("MAILVET_AUDIT_RETENTION=%q accepted: %v", bad, err)
		}
	}
}

func TestMetricsAddr(t *testing.T) {
	for _, good := range []string{":9090", "127.0.0.1:9090", "[::1]:9100"} {
		c, err := Load(env(map[string]string{"MAILVET_METRICS_ADDR": good}))
		if err != nil || c.MetricsAddr != good {
			t.Errorf("MAILVET_METRICS_ADDR=%q: %q, %v", good, c.MetricsAddr, err)
		}
	}
	for _, bad := range []string{"9090", "localhost", ":http", ":0", ":70000", "host:"} {
		if _, err := Load(env(map[string]string{"MAILVET_METRICS_ADDR": bad})); err == nil || !strings.Contains(err.Error(), "MAILVET_METRICS_ADDR") {
			t.Errorf("MAILVET_METRICS_ADDR=%q: error %v", bad, err)
		}
	}
}

func TestListBatchRows(t *testing.T) {
	c, err := Load(env(map[string]string{"MAILVET_LIST_BATCH_ROWS": "2500"}))
	if err != nil || c.ListBatchRows != 2500 {
		t.Fatalf("got %d, %v", c.ListBatchRows, err)
	}
	for _, bad := range []string{"250", "50", "200000", "many"} {
		if _, err := Load(env(map[string]string{"MAILVET_LIST_BATCH_ROWS": bad})); err == nil || !strings.Contains(err.Error(), "MAILVET_LIST_BATCH_ROWS") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}
