package csvin

import (
	"strings"

	"mailvet/verify/address"
)

// Duplicate detection modes for DedupeKey.
const (
	DedupeNone            = "none"             // never a duplicate
	DedupeExact           = "exact"            // same Normalized address
	DedupeCaseInsensitive = "case_insensitive" // same address ignoring case (the default)
	DedupeProviderAware   = "provider_aware"   // also folds provider aliases (Gmail dots, +tags)

	DefaultDedupeMode = DedupeCaseInsensitive
)

// ValidDedupeMode reports whether s names a dedupe mode ("" is not one:
// callers substitute DefaultDedupeMode).
func ValidDedupeMode(s string) bool {
	switch s {
	case DedupeNone, DedupeExact, DedupeCaseInsensitive, DedupeProviderAware:
		return true
	}
	return false
}

// DedupeKey returns the key under which a is considered a duplicate of
// an earlier address in the same list; "" means never a duplicate (mode
// "none", or the zero Address). An empty or unknown mode acts as
// DefaultDedupeMode.
//
// provider_aware lower-cases, then folds the aliases a mailbox provider
// is known to deliver to the same mailbox: for gmail.com and
// googlemail.com (→ gmail.com) dots in the local part and a "+tag"; a
// "+tag" for Outlook/Hotmail/Live, iCloud (icloud.com, me.com, mac.com),
// Fastmail and Proton; a "-tag" for Yahoo. Quoted local parts are only
// lower-cased.
func DedupeKey(mode string, a address.Address) string {
	if a.Normalized == "" {
		return ""
	}
	switch mode {
	case DedupeNone:
		return ""
	case DedupeExact:
		return a.Normalized
	case DedupeProviderAware:
		return providerKey(strings.ToLower(a.Normalized))
	}
	return strings.ToLower(a.Normalized)
}

func providerKey(key string) string {
	at := strings.LastIndexByte(key, '@')
	if at <= 0 || key[0] == '"' {
		return key
	}
	local, domain := key[:at], key[at+1:]
	switch {
	case domain == "gmail.com" || domain == "googlemail.com":
		local = strings.ReplaceAll(cutTag(local, '+'), ".", "")
		domain = "gmail.com"
	case plusAddressing(domain):
		local = cutTag(local, '+')
	case providerName(domain) == "yahoo":
		local = cutTag(local, '-')
	}
	if local == "" { // "+x@gmail.com", "...@gmail.com": nothing sensible to fold to
		return key
	}
	return local + "@" + domain
}

// cutTag drops the sub-address from the first sep on, unless the local
// part starts with it.
func cutTag(local string, sep byte) string {
	if i := strings.IndexByte(local, sep); i > 0 {
		return local[:i]
	}
	return local
}

func plusAddressing(domain string) bool {
	switch domain {
	case "icloud.com", "me.com", "mac.com", "proton.me", "protonmail.com", "protonmail.ch", "pm.me":
		return true
	}
	switch providerName(domain) {
	case "outlook", "hotmail", "live", "fastmail":
		return true
	}
	return false
}

// providerName returns "hotmail" for hotmail.com, hotmail.fr or
// hotmail.co.uk: the label before a top-level domain or a country's
// generic second level (co.uk, com.br, ne.jp); "" for other shapes.
func providerName(domain string) string {
	name, rest, ok := strings.Cut(domain, ".")
	if !ok || name == "" {
		return ""
	}
	sld, tld, ok := strings.Cut(rest, ".")
	if !ok {
		return name
	}
	if len(tld) == 2 {
		switch sld {
		case "co", "com", "net", "org", "ne", "or":
			return name
		}
	}
	return ""
}
