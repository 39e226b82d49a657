package address

import (
	"strings"
	"testing"
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in         string
		local      string
		domain     string
		unicode    string // "" means same as domain
		normalized string
		quoted     bool
		ipLiteral  bool
		smtputf8   bool
	}{
		{in: "user@example.com", local: "user", domain: "example.com", normalized: "user@example.com"},
		{in: "  John.Smith@Example.COM \t\n", local: "John.Smith", domain: "example.com", normalized: "John.Smith@example.com"},
		{in: "user@example.com.", local: "user", domain: "example.com", normalized: "user@example.com"},
		{in: "a!#$%&'*+-/=?^_`{|}~z@example.com", local: "a!#$%&'*+-/=?^_`{|}~z", domain: "example.com", normalized: "a!#$%&'*+-/=?^_`{|}~z@example.com"},
		{in: "first.last+tag@sub.example.co.uk", local: "first.last+tag", domain: "sub.example.co.uk", normalized: "first.last+tag@sub.example.co.uk"},
		{in: "x@a-b.c-d.example", local: "x", domain: "a-b.c-d.example", normalized: "x@a-b.c-d.example"},
		{in: "x@123.example", local: "x", domain: "123.example", normalized: "x@123.example"},
		// Quoted local parts.
		{in: `"john doe"@example.com`, local: `"john doe"`, domain: "example.com", normalized: `"john doe"@example.com`, quoted: true},
		{in: `"jo"@example.com`, local: `"jo"`, domain: "example.com", normalized: "jo@example.com", quoted: true},
		{in: `"Jo.Bloggs"@example.com`, local: `"Jo.Bloggs"`, domain: "example.com", normalized: "Jo.Bloggs@example.com", quoted: true},
		{in: `"a\"b"@example.com`, local: `"a\"b"`, domain: "example.com", normalized: `"a\"b"@example.com`, quoted: true},
		{in: `"a\\b"@example.com`, local: `"a\\b"`, domain: "example.com", normalized: `"a\\b"@example.com`, quoted: true},
		{in: `"a\ b"@example.com`, local: `"a\ b"`, domain: "example.com", normalized: `"a b"@example.com`, quoted: true},
		{in: `"a\b"@example.com`, local: `"a\b"`, domain: "example.com", normalized: "ab@example.com", quoted: true},
		{in: `"a..b"@example.com`, local: `"a..b"`, domain: "example.com", normalized: `"a..b"@example.com`, quoted: true},
		{in: `"a@b"@example.com`, local: `"a@b"`, domain: "example.com", normalized: `"a@b"@example.com`, quoted: true},
		// IDN domains: punycode in Domain, Unicode kept.
		{in: "jo@Bücher.DE", local: "jo", domain: "xn--bcher-kva.de", unicode: "bücher.de", normalized: "jo@xn--bcher-kva.de"},
		{in: "jo@xn--bcher-kva.de", local: "jo", domain: "xn--bcher-kva.de", unicode: "bücher.de", normalized: "jo@xn--bcher-kva.de"},
		{in: "jo@ｇｍａｉｌ.com", local: "jo", domain: "gmail.com", normalized: "jo@gmail.com"},
		{in: "jo@例子。广告。", local: "jo", domain: "xn--fsqu00a.xn--4rr70v", unicode: "例子.广告", normalized: "jo@xn--fsqu00a.xn--4rr70v"},
		{in: "jo@straße.de", local: "jo", domain: "xn--strae-oqa.de", unicode: "straße.de", normalized: "jo@xn--strae-oqa.de"},
		// SMTPUTF8 local parts (RFC 6531).
		{in: "用户@例子.广告", local: "用户", domain: "xn--fsqu00a.xn--4rr70v", unicode: "例子.广告", normalized: "用户@xn--fsqu00a.xn--4rr70v", smtputf8: true},
		{in: "josé.garcía@example.es", local: "josé.garcía", domain: "example.es", normalized: "josé.garcía@example.es", smtputf8: true},
		{in: `"jöhn doe"@example.com`, local: `"jöhn doe"`, domain: "example.com", normalized: `"jöhn doe"@example.com`, quoted: true, smtputf8: true},
		// Address literals.
		{in: "user@[192.0.2.1]", local: "user", domain: "[192.0.2.1]", normalized: "user@[192.0.2.1]", ipLiteral: true},
		{in: "user@[IPv6:2001:DB8:0:0::1]", local: "user", domain: "[ipv6:2001:db8::1]", normalized: "user@[ipv6:2001:db8::1]", ipLiteral: true},
		{in: "user@[ipv6:::ffff:192.0.2.1]", local: "user", domain: "[ipv6:::ffff:192.0.2.1]", normalized: "user@[ipv6:::ffff:192.0.2.1]", ipLiteral: true},
		// Length limits, exactly at the bound.
		{in: strings.Repeat("a", 64) + "@example.com", local: strings.Repeat("a", 64), domain: "example.com", normalized: strings.Repeat("a", 64) + "@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			a, p := Parse(tt.in)
			if p != nil {
				t.Fatalf("Parse(%q) problem %v", tt.in, p)
			}
			uni := tt.unicode
			if uni == "" {
				uni = tt.domain
			}
			want := Address{Input: tt.in, Local: tt.local, Domain: tt.domain, UnicodeDomain: uni, Normalized: tt.normalized,
				Quoted: tt.quoted, IPLiteral: tt.ipLiteral, SMTPUTF8: tt.smtputf8}
			if a != want {
				t.Errorf("Parse(%q)\n got %+v\nwant %+v", tt.in, a, want)
			}
			if a.String() != tt.normalized {
				t.Errorf("String() = %q", a.String())
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	long63 := strings.Repeat("a", 63)
	tests := []struct {
		in   string
		code Code
	}{
		{"", CodeEmpty},
		{"   \t ", CodeEmpty},
		{"userexample.com", CodeMissingAt},
		{`"quoted"`, CodeMissingAt},
		{"a@b@example.com", CodeMultipleAt},
		{`"a"@b@example.com`, CodeMultipleAt},
		{"@example.com", CodeBadLocalPart},
		{"user@", CodeBadDomain},
		{`""@example.com`, CodeBadLocalPart},
		{".user@example.com", CodeBadLocalPart},
		{"user.@example.com", CodeBadLocalPart},
		{"us..er@example.com", CodeBadLocalPart},
		{"john doe@example.com", CodeBadLocalPart},
		{"john\tdoe@example.com", CodeBadLocalPart},
		{"jo\x00e@example.com", CodeBadLocalPart},
		{"jo\x7fe@example.com", CodeBadLocalPart},
		{"jo\u0085e@example.com", CodeBadLocalPart}, // C1 control
		{"jo\u00a0e@example.com", CodeBadLocalPart}, // no-break space
		{"jo\u200be@example.com", CodeBadLocalPart}, // zero-width space (Cf)
		{"jo\xffe@example.com", CodeBadLocalPart},   // invalid UTF-8
		{"jo(e)@example.com", CodeBadLocalPart},     // specials need quotes
		{"jo,e@example.com", CodeBadLocalPart},
		{`jo"e"@example.com`, CodeBadLocalPart},
		{`"unterminated@example.com`, CodeBadLocalPart},
		{`"a"b@example.com`, CodeBadLocalPart},
		{`"a` + "\x01" + `"@example.com`, CodeBadLocalPart}, // control inside quotes
		{`"a\é"@example.com`, CodeBadLocalPart},             // quoted-pair must be ASCII
		{"user@example", CodeBadDomain},                     // one label
		{"user@localhost", CodeBadDomain},
		{"user@example..com", CodeBadDomain},
		{"user@.example.com", CodeBadDomain},
		{"user@example.com..", CodeBadDomain},
		{"user@-example.com", CodeBadDomain},
		{"user@example-.com", CodeBadDomain},
		{"user@exa_mple.com", CodeBadDomain},
		{"user@exa mple.com", CodeBadDomain},
		{"user@example.123", CodeBadDomain},
		{"user@192.0.2.1", CodeBadDomain},
		{"user@" + strings.Repeat("a", 64) + ".com", CodeBadDomain}, // label > 63
		{"user@xn--zz.com", CodeBadDomain},                          // bad punycode
		{"user@ab--cd.com", CodeBadDomain},                          // reserved hyphens
		{"user@[192.0.2.256]", CodeBadDomain},
		{"user@[192.0.2.1", CodeBadDomain},
		{"user@[IPv6:192.0.2.1]", CodeBadDomain},
		{"user@[2001:db8::1]", CodeBadDomain}, // IPv6 needs the tag
		{"user@[IPv6:fe80::1%eth0]", CodeBadDomain},
		{"user@[x-tag:foo]", CodeBadDomain},
		{strings.Repeat("a", 65) + "@example.com", CodeLocalTooLong},
		{`"` + strings.Repeat("a", 63) + `"@example.com`, CodeLocalTooLong}, // quotes count
		{"user@" + strings.Repeat(long63+".", 4) + "com", CodeDomainTooLong},
		{strings.Repeat("a", 64) + "@" + strings.Repeat(long63+".", 3) + "abcdefghijklmnopqrstuvwxyz", CodePathTooLong},
		{strings.Repeat("a", 2000) + "@example.com", CodePathTooLong},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			a, p := Parse(tt.in)
			if p == nil {
				t.Fatalf("Parse(%q) = %+v, want problem %s", tt.in, a, tt.code)
			}
			if p.Code != tt.code {
				t.Errorf("Parse(%q) code %s (%s), want %s", tt.in, p.Code, p.Message, tt.code)
			}
			if p.Message == "" || !strings.HasPrefix(p.Error(), string(p.Code)+": ") {
				t.Errorf("bad message/error: %q / %q", p.Message, p.Error())
			}
			if a != (Address{}) {
				t.Errorf("non-zero Address with a problem: %+v", a)
			}
		})
	}
}

func TestDomainLengthBoundary(t *testing.T) {
	// 63+1+63+1+63+1+60 = 252 octets: with "x@" a 254-octet path.
	d := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 60)
	if len(d) != 252 {
		t.Fatalf("setup: len %d", len(d))
	}
	if a, p := Parse("x@" + d); p != nil || len(a.Normalized) != MaxPathLen {
		t.Errorf("254-octet path rejected: %v", p)
	}
	if _, p := Parse("x@" + d + "."); p != nil {
		t.Errorf("254-octet path with trailing dot rejected: %v", p)
	}
	if _, p := Parse("xy@" + d); p == nil || p.Code != CodePathTooLong {
		t.Errorf("255-octet path: got %v, want path_too_long", p)
	}
	// A 253-octet domain is within the domain limit but can never fit a path.
	if _, p := Parse("x@" + d + "d"); p == nil || p.Code != CodePathTooLong {
		t.Errorf("253-octet domain: got %v, want path_too_long", p)
	}
	if _, p := Parse("x@" + d + "dd"); p == nil || p.Code != CodeDomainTooLong {
		t.Errorf("254-octet domain: got %v, want domain_too_long", p)
	}
}

func TestUnicode(t *testing.T) {
	a, p := Parse(`"a@b"@Bücher.de`)
	if p != nil {
		t.Fatal(p)
	}
	if got, want := a.Unicode(), `"a@b"@bücher.de`; got != want {
		t.Errorf("Unicode() = %q, want %q", got, want)
	}
}
