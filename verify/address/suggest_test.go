package address

import (
	"strings"
	"testing"
)

func TestSuggest(t *testing.T) {
	tests := []struct{ in, want string }{
		// Provider name typos.
		{"gmial.com", "gmail.com"},
		{"gmai.com", "gmail.com"},
		{"gmaill.com", "gmail.com"},
		{"yahooo.com", "yahoo.com"},
		{"outlok.com", "outlook.com"},
		{"hotmial.com", "hotmail.com"},
		{"protonmial.com", "protonmail.com"},
		{"googlemaill.com", "googlemail.com"},
		{"yahooo.co.uk", "yahoo.co.uk"},
		{"tonline.de", "t-online.de"},
		// Suffix typos on providers, including real ccTLDs.
		{"hotmail.con", "hotmail.com"},
		{"gmail.co", "gmail.com"},
		{"gmail.cm", "gmail.com"},
		{"icloud.cmo", "icloud.com"},
		{"aol.con", "aol.com"},
		{"comcast.nett", "comcast.net"},
		{"hotmail.cou.k", "hotmail.co.uk"},
		// Both at once.
		{"gmial.con", "gmail.com"},
		{"hotmial.co", "hotmail.com"},
		// Case, whitespace and trailing dot are ignored.
		{" GMIAL.com. ", "gmail.com"},
		// Suffix typos that are no real TLD: fixed for any domain.
		{"example.con", "example.com"},
		{"example.comm", "example.com"},
		{"example.nett", "example.net"},
		{"example.ent", "example.net"},
		{"example.ogr", "example.org"},
		{"example.orgg", "example.org"},
		{"example.cou.k", "example.co.uk"},
		// Real ccTLDs are not "fixed" for unknown domains (deliberate).
		{"example.cm", ""},
		{"example.co", ""},
		{"example.om", ""},
		// Known providers and legitimate look-alikes: no suggestion.
		{"gmail.com", ""},
		{"gmx.de", ""},
		{"gmx.net", ""},
		{"gmx.at", ""},
		{"mail.com", ""},
		{"email.com", ""},
		{"ymail.com", ""},
		{"me.com", ""},
		{"mac.com", ""},
		{"cloud.com", ""},
		{"comcast.com", ""},
		{"yahoo.co.id", ""},
		{"gmail.de", ""},
		// Short provider names get no fuzzy matching.
		{"aoll.com", ""},
		{"msm.com", ""},
		{"gmz.de", ""},
		// Ambiguous: one edit from gmail, ymail and email.
		{"xmail.com", ""},
		// Nothing close.
		{"example.com", ""},
		{"mailvet.io", ""},
		{"mail.gmial.com", ""},
		{"", ""},
		{"localhost", ""},
		{"bücher.de", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.in); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOSADistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "", 3},
		{"", "abc", 3},
		{"gmail", "gmail", 0},
		{"gmail", "gmial", 1},
		{"gmail", "gmai", 1},
		{"gmail", "gnail", 1},
		{"ca", "abc", 3}, // OSA, not full Damerau-Levenshtein (which gives 2)
		{"de", "net", 2},
	}
	for _, tt := range tests {
		if got := osaDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("osaDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestProviderListWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range strings.Split(providerList, "\n") {
		if seen[p] {
			t.Errorf("duplicate provider %q", p)
		}
		seen[p] = true
		a, prob := Parse("x@" + p)
		if prob != nil || a.Domain != p {
			t.Errorf("provider %q does not parse to itself: %v", p, prob)
		}
		if s := Suggest(p); s != "" {
			t.Errorf("Suggest(provider %q) = %q", p, s)
		}
	}
	if len(seen) < 40 {
		t.Errorf("only %d providers", len(seen))
	}
}

func BenchmarkSuggest(b *testing.B) {
	for b.Loop() {
		Suggest("hotmial.con")
	}
}
