package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

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
		"MAILVET_LOG_LEVEL": "error",
	}
	input := "zed@other.test\nnobody@shop.test\n\n  ann@shop.test  \nbroken@@x\na@nullmx.test\n"
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"check", "--json"}, strings.NewReader(input), &out, &errOut, envOf(env))
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
	code = run(context.Background(), []string{"check", "ann@shop.test", "nobody@shop.test"}, strings.NewReader(""), &out, &errOut, envOf(env))
	if code != 0 || !strings.HasPrefix(out.String(), "ann@shop.test\tdeliverable\taccepted_email\t") || !strings.Contains(out.String(), "nobody@shop.test\tundeliverable") {
		t.Fatalf("text output (exit %d):\n%s", code, out.String())
	}
}
