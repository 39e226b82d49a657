package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"mailvet/cli"
	"mailvet/verify/mailsim"
)

func TestCheckPrintsOneResultPerAddressInInputOrder(t *testing.T) {
	w := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "shop.test", Mailboxes: []string{"ann", "bob"}},
		{Name: "other.test", Mailboxes: []string{"zed"}},
		{Name: "nullmx.test", DNS: mailsim.DNSNullMX},
	}})
	env := map[string]string{
		"MAILVET_DNS_SERVER": w.DNSAddr(), "MAILVET_SMTP_PORT": strconv.Itoa(w.SMTPPort()),
		"MAILVET_DNS_CANARIES": "shop.test", "MAILVET_LOG_LEVEL": "error",
	}
	input := "zed@other.test\nnobody@shop.test\n\n  ann@shop.test  \nbroken@@x\na@nullmx.test\n"
	var out, errOut bytes.Buffer
	code := cli.Run(context.Background(), []string{"check", "--json"}, strings.NewReader(input), &out, &errOut, envOf(env))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	want := []struct{ email, status, reason string }{
		{"zed@other.test", "deliverable", "accepted_email"},
		{"nobody@shop.test", "undeliverable", "rejected_email"},
		{"ann@shop.test", "deliverable", "accepted_email"},
		{"broken@@x", "undeliverable", "invalid_syntax"},
		{"a@nullmx.test", "undeliverable", "null_mx"},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, l := range lines {
		var r struct {
			Email, Status, Reason string
			Flags                 map[string]bool
			CheckedAt             string `json:"checked_at"`
		}
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if r.Email != want[i].email || r.Status != want[i].status || r.Reason != want[i].reason || r.Flags == nil || r.CheckedAt == "" {
			t.Errorf("line %d: %s", i, l)
		}
	}

	out.Reset()
	code = cli.Run(context.Background(), []string{"check", "ann@shop.test", "nobody@shop.test"}, strings.NewReader(""), &out, &errOut, envOf(env))
	if code != 0 || !strings.HasPrefix(out.String(), "ann@shop.test\tdeliverable\taccepted_email\t") || !strings.Contains(out.String(), "nobody@shop.test\tundeliverable") {
		t.Fatalf("text output (exit %d):\n%s", code, out.String())
	}
}

// An address with a CR, LF or tab in it cannot break the one-line-per-
// address text output: it is printed quoted, and unquotes to what was
// given.
func TestCheckQuotesAddressesThatAreNotPlain(t *testing.T) {
	w := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann"}}}})
	env := envOf(map[string]string{
		"MAILVET_DNS_SERVER": w.DNSAddr(), "MAILVET_SMTP_PORT": strconv.Itoa(w.SMTPPort()), "MAILVET_LOG_LEVEL": "error",
		"MAILVET_DNS_CANARIES": "shop.test",
	})
	given := []string{
		"ann@shop.test",
		"ann@shop.test\r\nzed@shop.test\tdeliverable\taccepted_email\t100",
		"bob\t@shop.test",
		`"quoted local"@shop.test`,
		"ann\u202e@shop.test",
	}
	var out, errOut bytes.Buffer
	if code := cli.Run(context.Background(), append([]string{"check"}, given...), strings.NewReader(""), &out, &errOut, env); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(given) {
		t.Fatalf("%d lines for %d addresses:\n%s", len(lines), len(given), out.String())
	}
	for i, l := range lines {
		fields := strings.Split(l, "\t")
		if len(fields) != 4 {
			t.Errorf("line %d has %d fields: %q", i, len(fields), l)
			continue
		}
		got := fields[0]
		if i > 0 {
			unq, err := strconv.Unquote(got)
			if err != nil {
				t.Errorf("line %d: address %s not quoted: %v", i, got, err)
				continue
			}
			got = unq
		}
		if got != given[i] {
			t.Errorf("line %d prints %q for %q", i, fields[0], given[i])
		}
	}
	if !strings.HasPrefix(lines[0], "ann@shop.test\tdeliverable\t") {
		t.Errorf("a plain address is printed as given: %q", lines[0])
	}
}
