// Package address parses, validates and normalises e-mail addresses
// (RFC 5321 mailbox syntax, RFC 6531/6532 UTF-8 extensions, IDNA 2008 /
// UTS #46 domains) and suggests corrections for mistyped provider domains.
//
// Parse is the entry point; Suggest proposes a fix for a mistyped domain
// (gmial.com → gmail.com). Everything is purely syntactic: nothing here
// touches the network, and there is no package state.
//
// # Decisions
//
//   - Surrounding whitespace (Unicode) is trimmed; anything else is taken
//     literally (a byte-order mark is not whitespace: strip it when reading
//     files). There is no support for display names ("Jo <jo@x.com>"),
//     comments ("jo(comment)@x.com") or RFC 5322 obsolete syntax.
//   - Local part: a dot-atom of RFC 5322 atext, or a quoted string of
//     RFC 5321 qtextSMTP / quoted-pairSMTP. An empty quoted string ("")
//     is rejected. UTF-8 local parts (RFC 6531 SMTPUTF8) are accepted and
//     flagged with Address.SMTPUTF8; their non-ASCII characters must not be
//     controls, whitespace or format characters (ZWNJ/ZWJ excepted). No
//     Unicode normalisation is applied to the local part.
//   - Domain: mapped with a strict UTS #46 lookup profile (non-transitional,
//     STD3 rules, hyphen and joiner checks, Bidi rule), lower-cased and
//     converted to punycode; a single trailing dot is removed. Lengths and
//     LDH label rules are then checked on the ASCII form. Address.Domain is
//     the ASCII form, Address.UnicodeDomain the Unicode (display) form.
//   - Address literals ("[192.0.2.1]", "[IPv6:2001:db8::1]") parse but set
//     Address.IPLiteral; Domain holds the canonical lower-case literal,
//     e.g. "[ipv6:2001:db8::1]". General (tagged) literals are rejected.
//   - Lengths (octets): local part ≤ 64 as given, domain ≤ 253 in ASCII
//     form, local + "@" + domain ≤ 254. Raw input longer than 1024 octets
//     is rejected before any other work (path_too_long).
//   - Normalized is local@domain with the ASCII domain; the local part is
//     kept as given (case included) except that a quoted local part whose
//     content is a valid dot-atom is unquoted (`"jo"@x.com` → `jo@x.com`), and any
//     other quoted local part is re-quoted with minimal escaping (only '"'
//     and '\' escaped), so equivalent spellings normalise alike.
package address
