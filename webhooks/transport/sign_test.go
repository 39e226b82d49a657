package transport

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func verifier(t *testing.T, secret string) *standardwebhooks.Webhook {
	t.Helper()
	hook, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	return hook
}

func TestNewSecretShape(t *testing.T) {
	a, b := NewSecret(), NewSecret()
	if a == b {
		t.Fatal("two secrets are equal")
	}
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(a, "whsec_"))
	if !strings.HasPrefix(a, "whsec_") || err != nil || len(key) != 32 {
		t.Fatalf("secret %q: %d bytes, %v", a, len(key), err)
	}
}

func TestHeadersVerifyWithOneSecret(t *testing.T) {
	secret := NewSecret()
	body := []byte(`{"type":"list.completed","data":{"id":"l_1"}}`)
	now := time.Now()
	header, err := Headers([]string{secret}, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", now, body)
	if err != nil {
		t.Fatal(err)
	}
	if got := header.Get("webhook-timestamp"); got != strconv.FormatInt(now.Unix(), 10) {
		t.Fatalf("webhook-timestamp = %q", got)
	}
	if err := verifier(t, secret).Verify(body, header); err != nil {
		t.Fatalf("official Verify: %v", err)
	}
	if err := verifier(t, secret).Verify([]byte(`{"type":"list.completed"}`), header); err == nil {
		t.Fatal("Verify accepted another body")
	}
	if err := verifier(t, NewSecret()).Verify(body, header); err == nil {
		t.Fatal("Verify accepted another secret")
	}
}

func TestSignWithTwoSecretsVerifiesWithEach(t *testing.T) {
	oldSecret, newSecret := NewSecret(), NewSecret()
	body := []byte(`{"type":"verification.completed"}`)
	header, err := Headers([]string{newSecret, oldSecret}, "msg_1", time.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	signature := header.Get("webhook-signature")
	if entries := strings.Split(signature, " "); len(entries) != 2 || !strings.HasPrefix(entries[0], "v1,") || !strings.HasPrefix(entries[1], "v1,") {
		t.Fatalf("webhook-signature = %q, want two v1 entries", signature)
	}
	for _, secret := range []string{oldSecret, newSecret} {
		if err := verifier(t, secret).Verify(body, header); err != nil {
			t.Fatalf("official Verify: %v", err)
		}
	}
}

func TestSignRefusesBadInput(t *testing.T) {
	now := time.Now()
	for _, secrets := range [][]string{nil, {""}, {"whsec_"}, {"c2VjcmV0"}, {"whsec_***"}} {
		if _, err := Sign(secrets, "msg_1", now, nil); err == nil {
			t.Errorf("Sign(%q) accepted", secrets)
		} else if len(secrets) == 1 && len(secrets[0]) > len("whsec_") && strings.Contains(err.Error(), secrets[0]) {
			t.Errorf("Sign error echoes the secret: %v", err)
		}
	}
	if _, err := Sign([]string{NewSecret()}, "", now, nil); err == nil {
		t.Error("Sign accepted an empty message id")
	}
}
