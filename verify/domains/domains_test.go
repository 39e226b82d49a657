package domains

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func load(t testing.TB) *Lists {
	t.Helper()
	l, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return l
}

func TestCounts(t *testing.T) {
	c := load(t).Counts()
	if c.Disposable < 10000 || c.DisposableWildcard < 10 || c.Free < 1000 || c.Role < 100 {
		t.Errorf("suspiciously small lists: %+v", c)
	}
	if got := slog.AnyValue(c).Resolve().Kind(); got != slog.KindGroup {
		t.Errorf("Counts does not log as a group: %v", got)
	}
}

func TestDisposable(t *testing.T) {
	l := load(t)
	tests := []struct {
		domain string
		want   bool
	}{
		{"mailinator.com", true},
		{"MAILINATOR.COM.", true},
		{" mailinator.com ", true},
		{"sub.mailinator.com", true},      // subdomain of a listed domain
		{"a.b.c.mailinator.com", true},    // deeper subdomain
		{"x.33mail.com", true},            // wildcard entry
		{"foo.anonaddy.com", true},        // wildcard-only entry: subdomains…
		{"anonaddy.com", false},           // …but not the domain itself
		{"xn--gmal-nza.net", true},        // "gmaıl.net" listed in Unicode form
		{"gmaıl.net", true},               // and its Unicode form
		{"amailinator.com", false},        // suffix match is per label
		{"mailinator.com.example", false}, // not a parent
		{"gmail.com", false},
		{"example.com", false},
		{"com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := l.Disposable(tt.domain); got != tt.want {
			t.Errorf("Disposable(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func TestFree(t *testing.T) {
	l := load(t)
	tests := []struct {
		domain string
		want   bool
	}{
		{"gmail.com", true},
		{"Yahoo.COM.", true},
		{"hotmail.com", true},
		{"outlook.com", true},
		{"proton.me", true},
		{"mail.gmail.com", false}, // exact match only
		{"example.com", false},
		{"mailvet.io", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := l.Free(tt.domain); got != tt.want {
			t.Errorf("Free(%q) = %v, want %v", tt.domain, got, tt.want)
		}
	}
}

func TestRole(t *testing.T) {
	l := load(t)
	tests := []struct {
		local string
		want  bool
	}{
		{"info", true},
		{"Info+x", true},
		{"INFO", true},
		{"sales+newsletter", true},
		{"no-reply", true},
		{"noreply", true},
		{"postmaster", true},
		{"abuse", true},
		{"webmaster", true},
		{"support", true},
		{"admin", true},
		{"marketing", true}, // from the vendored list
		{`"info"`, true},
		{"john.smith", false},
		{"jane+info", false}, // the tag is ignored, not the name
		{"+info", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := l.Role(tt.local); got != tt.want {
			t.Errorf("Role(%q) = %v, want %v", tt.local, got, tt.want)
		}
	}
}

func TestBuiltinRolesWithoutList(t *testing.T) {
	l, err := parse("a.example\n", "b.example\n", "c.example\n", "# comment\n\nceo\n")
	if err != nil {
		t.Fatal(err)
	}
	for r := range strings.FieldsSeq(builtinRoles) {
		if !l.Role(r) {
			t.Errorf("builtin role %q not recognised", r)
		}
	}
	if !l.Role("CEO") || l.Role("comment") {
		t.Error("list parsing: comments or entries mishandled")
	}
	if c := l.Counts(); c != (Counts{1, 1, 1, 1}) {
		t.Errorf("Counts = %+v", c)
	}
}

func TestParseRejectsBadData(t *testing.T) {
	for _, tc := range [][4]string{
		{"com\n", "w.example\n", "f.example\n", "r\n"},           // single label
		{"Upper.example\n", "w.example\n", "f.example\n", "r\n"}, // not lower-case
		{"a.example\n", "*.w.example\n", "f.example\n", "r\n"},   // wildcard syntax
		{"a.example\n", "w.example\n", "f.example\n", "a b\n"},   // space in role
		{"", "w.example\n", "f.example\n", "r\n"},                // empty list
	} {
		if _, err := parse(tc[0], tc[1], tc[2], tc[3]); err == nil {
			t.Errorf("parse(%q) accepted bad data", tc)
		}
	}
}

func TestEmbeddedDataSortedUnique(t *testing.T) {
	for name, text := range map[string]string{
		"disposable": disposableTxt, "disposable-wildcard": disposableWildcardTxt, "free": freeTxt, "role": roleTxt,
	} {
		prev := ""
		for line, n := range lines(text) {
			if line <= prev {
				t.Errorf("%s line %d: %q not after %q (unsorted or duplicate)", name, n, line, prev)
				break
			}
			prev = line
		}
	}
}

// BenchmarkLookups shows that lookups are constant-time map hits: ns/op and
// allocs/op are flat whether the list holds a thousand or a million domains.
func BenchmarkLookups(b *testing.B) {
	l := load(b)
	real := []struct {
		name string
		fn   func() bool
	}{
		{"Disposable/hit", func() bool { return l.Disposable("mailinator.com") }},
		{"Disposable/subdomain", func() bool { return l.Disposable("a.b.mailinator.com") }},
		{"Disposable/miss", func() bool { return l.Disposable("mail.example.com") }},
		{"Free/hit", func() bool { return l.Free("gmail.com") }},
		{"Free/miss", func() bool { return l.Free("example.com") }},
		{"Role/tagged", func() bool { return l.Role("Info+x") }},
		{"Role/miss", func() bool { return l.Role("john.smith") }},
	}
	for _, bm := range real {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bm.fn()
			}
		})
	}
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		var sb strings.Builder
		for i := range n {
			fmt.Fprintf(&sb, "d%07d.example\n", i)
		}
		synthetic, err := parse(sb.String(), "w.example\n", "f.example\n", "r\n")
		if err != nil {
			b.Fatal(err)
		}
		probe := fmt.Sprintf("x.d%07d.example", n/2)
		b.Run(fmt.Sprintf("Disposable/size=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if !synthetic.Disposable(probe) {
					b.Fatal("miss")
				}
			}
		})
	}
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
