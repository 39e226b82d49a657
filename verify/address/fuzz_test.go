package address

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks Parse's invariants on arbitrary input. The seed corpus
// is in testdata/fuzz/FuzzParse; run with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 30s ./verify/address/
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		a, p := Parse(raw)
		if p != nil {
			if p.Code == "" || p.Message == "" {
				t.Fatalf("Parse(%q): problem without code or message: %#v", raw, p)
			}
			if a != (Address{}) {
				t.Fatalf("Parse(%q): problem %v with non-zero address %+v", raw, p, a)
			}
			return
		}
		if a.Input != raw {
			t.Fatalf("Input %q != raw %q", a.Input, raw)
		}
		if len(a.Local) == 0 || len(a.Local) > MaxLocalLen {
			t.Fatalf("Parse(%q): local part length %d", raw, len(a.Local))
		}
		if len(a.Domain) == 0 || len(a.Domain) > MaxDomainLen {
			t.Fatalf("Parse(%q): domain length %d", raw, len(a.Domain))
		}
		if len(a.Normalized) > MaxPathLen || len(a.Local)+1+len(a.Domain) > MaxPathLen {
			t.Fatalf("Parse(%q): path too long: %q", raw, a.Normalized)
		}
		for i := 0; i < len(a.Domain); i++ {
			if c := a.Domain[i]; c >= utf8.RuneSelf || c != strings.ToLower(string(c))[0] {
				t.Fatalf("Parse(%q): Domain %q is not lower-case ASCII", raw, a.Domain)
			}
		}
		if !strings.HasSuffix(a.Normalized, "@"+a.Domain) {
			t.Fatalf("Parse(%q): Normalized %q does not end in @%s", raw, a.Normalized, a.Domain)
		}
		if a.SMTPUTF8 == isASCII(a.Local) {
			t.Fatalf("Parse(%q): SMTPUTF8=%v for local %q", raw, a.SMTPUTF8, a.Local)
		}
		if a.IPLiteral != strings.HasPrefix(a.Domain, "[") {
			t.Fatalf("Parse(%q): IPLiteral=%v for domain %q", raw, a.IPLiteral, a.Domain)
		}

		b, p := Parse(a.Normalized)
		if p != nil {
			t.Fatalf("Parse(%q) ok, but its Normalized %q fails: %v", raw, a.Normalized, p)
		}
		if b.Normalized != a.Normalized || b.Domain != a.Domain || b.UnicodeDomain != a.UnicodeDomain ||
			b.IPLiteral != a.IPLiteral || b.SMTPUTF8 != a.SMTPUTF8 {
			t.Fatalf("Parse(%q) not idempotent:\n first %+v\nsecond %+v", raw, a, b)
		}

		// Suggest must cope with whatever Parse accepts.
		if s := Suggest(a.Domain); s == a.Domain {
			t.Fatalf("Suggest(%q) suggested itself", a.Domain)
		}
	})
}
