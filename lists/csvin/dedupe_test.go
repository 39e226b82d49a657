package csvin

import (
	"testing"

	"mailvet/verify/address"
)

func TestDedupeKey(t *testing.T) {
	tests := []struct {
		mode, in, want string
	}{
		{"none", "Jo@X.com", ""},
		{"exact", "Jo@X.com", "Jo@x.com"},
		{"case_insensitive", "Jo@X.com", "jo@x.com"},
		{"", "Jo@X.com", "jo@x.com"},
		{"bogus", "Jo@X.com", "jo@x.com"},
		{"case_insensitive", "J.o+tag@Gmail.com", "j.o+tag@gmail.com"},

		{"provider_aware", "J.O.Doe+news@Gmail.com", "jodoe@gmail.com"},
		{"provider_aware", "jo.doe@googlemail.com", "jodoe@gmail.com"},
		{"provider_aware", "+tag@gmail.com", "+tag@gmail.com"},
		{"provider_aware", "jo+tag@outlook.com", "jo@outlook.com"},
		{"provider_aware", "jo+tag@outlook.fr", "jo@outlook.fr"},
		{"provider_aware", "Jo.Doe+tag@Hotmail.co.uk", "jo.doe@hotmail.co.uk"},
		{"provider_aware", "jo+tag@live.com", "jo@live.com"},
		{"provider_aware", "jo+tag@icloud.com", "jo@icloud.com"},
		{"provider_aware", "jo+tag@me.com", "jo@me.com"},
		{"provider_aware", "jo+tag@fastmail.fm", "jo@fastmail.fm"},
		{"provider_aware", "jo+tag@proton.me", "jo@proton.me"},
		{"provider_aware", "jo+tag@protonmail.com", "jo@protonmail.com"},
		{"provider_aware", "jo-shop@yahoo.com", "jo@yahoo.com"},
		{"provider_aware", "jo-shop@yahoo.co.jp", "jo@yahoo.co.jp"},
		{"provider_aware", "jo+tag@yahoo.com", "jo+tag@yahoo.com"},
		{"provider_aware", "j.o+tag@example.com", "j.o+tag@example.com"},
		{"provider_aware", "jo+tag@hotmail.evil.example", "jo+tag@hotmail.evil.example"},
		{"provider_aware", `"J o+x"@gmail.com`, `"j o+x"@gmail.com`},
	}
	for _, tt := range tests {
		a, p := address.Parse(tt.in)
		if p != nil {
			t.Fatalf("Parse(%q): %v", tt.in, p)
		}
		if got := DedupeKey(tt.mode, a); got != tt.want {
			t.Errorf("DedupeKey(%q, %q) = %q, want %q", tt.mode, tt.in, got, tt.want)
		}
	}
	if got := DedupeKey(DedupeExact, address.Address{}); got != "" {
		t.Errorf("zero Address: key %q, want \"\"", got)
	}
}

func TestValidDedupeMode(t *testing.T) {
	for _, m := range []string{"none", "exact", "case_insensitive", "provider_aware"} {
		if !ValidDedupeMode(m) {
			t.Errorf("ValidDedupeMode(%q) = false", m)
		}
	}
	for _, m := range []string{"", "Exact", "provider-aware", "gmail"} {
		if ValidDedupeMode(m) {
			t.Errorf("ValidDedupeMode(%q) = true", m)
		}
	}
}
