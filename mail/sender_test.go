package mail_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"mailvet/mail"
	"mailvet/mail/mailtest"
)

func TestSMTPSenderDelivers(t *testing.T) {
	srv := mailtest.Start(t)
	s, err := mail.NewSender(srv.URL, "mailvet <no-reply@mailvet.test>", slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), mail.Message{To: "ann@example.com", Subject: "Vérifiez", Text: "line one\nhttp://x/y"})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.WaitFor(t, "ann@example.com", "Vérifiez", 5*time.Second)
	if m.From != "no-reply@mailvet.test" || !strings.Contains(m.Body, "http://x/y") {
		t.Fatalf("got %+v", m)
	}
}

func TestSenderRefusesBadFrom(t *testing.T) {
	if _, err := mail.NewSender("", "not an address", slog.Default()); err == nil {
		t.Fatal("want error for a bad From")
	}
}

func TestSMTPSenderReportsUnreachableServer(t *testing.T) {
	s, err := mail.NewSender("smtp://127.0.0.1:1", "a@b.test", slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), mail.Message{To: "x@y.test", Subject: "s", Text: "t"}); err == nil {
		t.Fatal("want a connection error")
	}
}
