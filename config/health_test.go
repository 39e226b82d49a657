package config

import (
	"strings"
	"testing"
	"time"
)

func TestHealthSettings(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Health != (Health{QueueLag: 5 * time.Minute, DiskMinFree: 1 << 30}) {
		t.Fatalf("defaults %+v", c.Health)
	}
	dir := t.TempDir()
	for _, ok := range []struct{ env, smtpPort, want string }{
		{"mx.example.com", "", "mx.example.com:25"},
		{"mx.example.com", "2525", "mx.example.com:2525"},
		{"192.0.2.25:587", "", "192.0.2.25:587"},
		{"::1", "", "[::1]:25"},
		{"[::1]:26", "", "[::1]:26"},
	} {
		c, err := Load(env(map[string]string{"MAILVET_HEALTH_PROBE_MX": ok.env, "MAILVET_SMTP_PORT": ok.smtpPort,
			"MAILVET_HEALTH_DISK_DIR": dir, "MAILVET_HEALTH_QUEUE_LAG": "90s"}))
		if err != nil || c.Health.ProbeMX != ok.want || c.Health.DiskDir != dir || c.Health.QueueLag != 90*time.Second {
			t.Fatalf("%s: %+v, %v", ok.env, c.Health, err)
		}
	}
	_, err = Load(env(map[string]string{
		"MAILVET_HEALTH_PROBE_MX":      "mx.example.com:0",
		"MAILVET_HEALTH_QUEUE_LAG":     "soon",
		"MAILVET_HEALTH_DISK_DIR":      dir + "/missing",
		"MAILVET_HEALTH_DISK_MIN_FREE": "-1",
	}))
	for _, name := range []string{"MAILVET_HEALTH_PROBE_MX", "MAILVET_HEALTH_QUEUE_LAG", "MAILVET_HEALTH_DISK_DIR", "MAILVET_HEALTH_DISK_MIN_FREE"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s not refused: %v", name, err)
		}
	}
	for _, bad := range []string{"mx example.com", "user@mx.example.com", "mx.example.com:http", "a:b:c"} {
		if _, err := Load(env(map[string]string{"MAILVET_HEALTH_PROBE_MX": bad})); err == nil {
			t.Errorf("MAILVET_HEALTH_PROBE_MX=%q accepted", bad)
		}
	}
}
