package safetext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTruncateKeepsUTF8(t *testing.T) {
	s := strings.Repeat("ä", 600) // 1,200 bytes
	for _, n := range []int{0, 1, 2, 3, 511, 512, 1199, 1200, 5000} {
		got := Truncate(s, n)
		if !utf8.ValidString(got) || len(got) > n {
			t.Fatalf("Truncate(%d): %d bytes, valid=%v", n, len(got), utf8.ValidString(got))
		}
		if n >= 2 && len(got) < min(n, len(s))-1 {
			t.Fatalf("Truncate(%d) cut too much: %d bytes", n, len(got))
		}
	}
	if Truncate("abc", 5) != "abc" {
		t.Fatal("short strings stay whole")
	}
}

func TestHasControl(t *testing.T) {
	for _, s := range []string{"a\x00b", "Acme\r\nInc", "tab\there", "\x7f", "bad \xff utf8", "c1 \u0085"} {
		if !HasControl(s) {
			t.Errorf("HasControl(%q) = false", s)
		}
	}
	for _, s := range []string{"", "Acme Inc", "Jäne Doe", "日本"} {
		if HasControl(s) {
			t.Errorf("HasControl(%q) = true", s)
		}
	}
	if !HasNUL("a\x00") || HasNUL("line\nbreak") {
		t.Fatal("HasNUL")
	}
}

func TestCSVCell(t *testing.T) {
	cases := map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-2":                "'-2",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tx":               "'\tx",
		"\rx":               "'\rx",
		"jane@example.com":  "jane@example.com",
		"":                  "",
	}
	for in, want := range cases {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}
