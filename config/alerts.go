package config

import (
	"encoding/base64"
	"errors"
	"strings"
)

// alertWebhook reads the operator's alert webhook: an http(s) URL and,
// with it, a whsec_ secret (never echoed in an error).
func (r *reader) alertWebhook(c *Config) {
	c.AlertWebhookURL = r.str("MAILVET_ALERT_WEBHOOK_URL", "")
	c.AlertWebhookSecret = r.str("MAILVET_ALERT_WEBHOOK_SECRET", "")
	if c.AlertWebhookURL == "" {
		if c.AlertWebhookSecret != "" {
			r.fail("MAILVET_ALERT_WEBHOOK_URL", "", "required with MAILVET_ALERT_WEBHOOK_SECRET")
		}
		return
	}
	r.url("MAILVET_ALERT_WEBHOOK_URL", c.AlertWebhookURL, "http", "https")
	key, ok := strings.CutPrefix(c.AlertWebhookSecret, "whsec_")
	if raw, err := base64.StdEncoding.DecodeString(key); !ok || err != nil || len(raw) < 24 {
		r.errs = append(r.errs, errors.New("MAILVET_ALERT_WEBHOOK_SECRET: required with MAILVET_ALERT_WEBHOOK_URL: whsec_ and 24 to 64 random bytes in base64"))
	}
}
