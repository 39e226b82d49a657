package mailsim

import "fmt"

// SetMailboxes replaces the mailboxes that exist at a domain, as a mail
// server whose users come and go: the next RCPT TO sees the new set (a
// re-validation test makes its list decay this way). The domain is
// copied, not changed in place, so a session reading the old set is
// never raced.
func (w *World) SetMailboxes(domain string, mailboxes []string) error {
	name, err := canonName(domain)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	d := w.domains[name]
	if d == nil {
		return fmt.Errorf("mailsim: no domain %s", name)
	}
	next := *d
	next.boxes = lowerSet(mailboxes)
	next.cfg.Mailboxes = append([]string(nil), mailboxes...)
	w.domains[name] = &next
	return nil
}
