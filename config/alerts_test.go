package config

import (
	"strings"
	"testing"
	"time"
)

func TestSlowQueryAndAlertWebhook(t *testing.T) {
	const secret = "whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	c, err := Load(env(map[string]string{"MAILVET_SLOW_QUERY": "350ms",
		"MAILVET_ALERT_WEBHOOK_URL": "https://ops.example.com/hooks/mailvet", "MAILVET_ALERT_WEBHOOK_SECRET": secret}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SlowQuery != 350*time.Millisecond || c.AlertWebhookURL != "https://ops.example.com/hooks/mailvet" || c.AlertWebhookSecret != secret {
		t.Fatalf("got %s %q", c.SlowQuery, c.AlertWebhookURL)
	}
	if d, _ := Load(env(nil)); d.SlowQuery != 200*time.Millisecond || d.AlertWebhookURL != "" {
		t.Fatalf("defaults: %s %q", d.SlowQuery, d.AlertWebhookURL)
	}
	for _, bad := range []map[string]string{
		{"MAILVET_SLOW_QUERY": "soon"},
		{"MAILVET_SLOW_QUERY": "10us"},
		{"MAILVET_ALERT_WEBHOOK_URL": "https://ops.example.com/"}, // no secret
		{"MAILVET_ALERT_WEBHOOK_URL": "https://ops.example.com/", "MAILVET_ALERT_WEBHOOK_SECRET": "whsec_c2hvcnQ="},
		{"MAILVET_ALERT_WEBHOOK_URL": "ftp://ops.example.com/", "MAILVET_ALERT_WEBHOOK_SECRET": secret},
		{"MAILVET_ALERT_WEBHOOK_SECRET": secret}, // no URL
	} {
		_, err := Load(env(bad))
		if err == nil {
			t.Errorf("%v accepted", bad)
			continue
		}
		if strings.Contains(err.Error(), "c2hvcnQ") || strings.Contains(err.Error(), secret) {
			t.Errorf("the error echoes the secret: %v", err)
		}
	}
}
