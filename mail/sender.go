package mail

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"
)

// Sender delivers one message now.
type Sender interface {
	Send(ctx context.Context, msg Message) error
}

// NewSender returns an SMTP sender for rawURL, or, when it is empty, a
// sender that writes messages to the log so a developer can click links.
func NewSender(rawURL, from string, log *slog.Logger) (Sender, error) {
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("MAILVET_MAILER_FROM %q: %w", from, err)
	}
	if rawURL == "" {
		return logSender{log: log}, nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return &smtpSender{url: u, from: from}, nil
}

type logSender struct{ log *slog.Logger }

func (s logSender) Send(_ context.Context, msg Message) error {
	s.log.Info("mail (no MAILVET_MAILER_URL set, not sent)", "to", msg.To, "subject", msg.Subject, "body", msg.Text)
	return nil
}

// smtpSender uses net/smtp: enough for submitting to a relay, which is all
// the service's own notices need.
type smtpSender struct {
	url  *url.URL
	from string
}

const smtpTimeout = 30 * time.Second

func (s *smtpSender) Send(ctx context.Context, msg Message) error {
	ctx, cancel := context.WithTimeout(ctx, smtpTimeout)
	defer cancel()
	c, err := s.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if s.url.User != nil {
		pass, _ := s.url.User.Password()
		if err := c.Auth(smtp.PlainAuth("", s.url.User.Username(), pass, s.url.Hostname())); err != nil {
			return fmt.Errorf("mail server auth: %w", err)
		}
	}
	from, _ := mail.ParseAddress(s.from)
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(msg.To); err != nil {
		return fmt.Errorf("RCPT TO %s: %w", msg.To, err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(s.render(msg)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("send message: %w", err)
	}
	return c.Quit()
}

// connect dials the mail server, reads its greeting and upgrades with
// STARTTLS when offered, all by ctx's deadline.
func (s *smtpSender) connect(ctx context.Context) (*smtp.Client, error) {
	host := s.url.Hostname()
	port := s.url.Port()
	implicitTLS := s.url.Scheme == "smtps"
	if port == "" {
		port = "587"
		if implicitTLS {
			port = "465"
		}
	}
	dialer := &net.Dialer{}
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, fmt.Errorf("connect to mail server: %w", err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	if implicitTLS {
		conn = tls.Client(conn, &tls.Config{ServerName: host})
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("greet mail server: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && !implicitTLS {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			c.Close()
			return nil, fmt.Errorf("starttls: %w", err)
		}
	}
	return c, nil
}

func (s *smtpSender) render(msg Message) []byte {
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	from, _ := mail.ParseAddress(s.from)
	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\n", from.String())
	fmt.Fprintf(&b, "To: %s\r\n", msg.To)
	fmt.Fprintf(&b, "Subject: %s\r\n", mimeWord(msg.Subject))
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s@%s>\r\n", hex.EncodeToString(id), domain)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(msg.Text, "\r\n", "\n"), "\n", "\r\n"))
	return []byte(b.String())
}

func mimeWord(s string) string {
	for _, r := range s {
		if r > 127 {
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}
