package mail_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"mailvet/health/healthtest"
	"mailvet/mail"
	"mailvet/mail/mailtest"
)

func TestCheckServer(t *testing.T) {
	srv := mailtest.Start(t)
	if detail, err := mail.CheckServer(t.Context(), srv.URL); err != nil || !strings.Contains(detail, "answers") {
		t.Fatalf("working server: %q, %v", detail, err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Fatalf("the check sent %d messages", n)
	}

	// A server that accepts and never greets: the deadline ends the wait.
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := mail.CheckServer(ctx, "smtp://user:secret@"+healthtest.Hung(t)); err == nil || strings.Contains(err.Error(), "secret") {
		t.Fatalf("hung server: %v", err)
	}
}
