package mail

import (
	"context"
	"fmt"
	"net/url"
)

// CheckServer connects to the mail server of rawURL (MAILVET_MAILER_URL)
// as Send does, greeting, EHLO and STARTTLS when offered, then says NOOP
// and QUIT: no mail is sent and no sign-in tried. All within ctx's
// deadline.
func CheckServer(ctx context.Context, rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("mail server URL: %w", err)
	}
	c, err := (&smtpSender{url: u}).connect(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if err := c.Noop(); err != nil {
		return "", fmt.Errorf("mail server NOOP: %w", err)
	}
	_ = c.Quit()
	return u.Host + " answers", nil // the host only: the URL holds the password
}
