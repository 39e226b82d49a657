// Package domains answers list questions about an address: is its domain a
// disposable (throw-away) mail service, a free mailbox provider, and is its
// local part a role account (info@, sales@, …)?
//
// The lists are vendored from npm packages into data/ by
// scripts/refresh-lists.sh (see data/SOURCES.md for versions and licences)
// and embedded in the binary. Load parses them into maps once; hold the
// returned *Lists for the life of the process and share it freely: it is
// never modified after Load, so concurrent use is safe.
//
// Note that the free list, as published, also contains many disposable
// domains: check Disposable before Free when classifying.
package domains

import (
	_ "embed"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

var (
	//go:embed data/disposable.txt
	disposableTxt string
	//go:embed data/disposable-wildcard.txt
	disposableWildcardTxt string
	//go:embed data/free.txt
	freeTxt string
	//go:embed data/role.txt
	roleTxt string
)

// builtinRoles are role local parts recognised even if the vendored list
// drops them.
const builtinRoles = "info admin sales support noreply no-reply postmaster abuse webmaster"

type set map[string]struct{}

func (s set) has(k string) bool { _, ok := s[k]; return ok }

// Lists holds the parsed lists. The zero value is not usable; call Load.
type Lists struct {
	disposable set // listed domains: the domain and its subdomains
	wildcard   set // wildcard domains: their subdomains only
	free       set // exact domains
	role       set // lower-case local parts
	counts     Counts
}

// Counts is the number of entries read from each vendored list (IDN entries
// are also indexed in punycode form, which is not counted again).
type Counts struct {
	Disposable         int
	DisposableWildcard int
	Free               int
	Role               int
}

// LogValue lets Counts be logged as a group with log/slog.
func (c Counts) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("disposable", c.Disposable),
		slog.Int("disposable_wildcard", c.DisposableWildcard),
		slog.Int("free", c.Free),
		slog.Int("role", c.Role),
	)
}

// Load parses the embedded lists. It takes ~20 ms and ~8 MB of heap (the
// entries themselves stay in the binary's read-only data): call it once at
// start-up and keep the result.
func Load() (*Lists, error) {
	return parse(disposableTxt, disposableWildcardTxt, freeTxt, roleTxt)
}

// parse builds Lists from list texts, one entry per line ("#" comments and
// blank lines are ignored).
func parse(disposable, wildcard, free, role string) (*Lists, error) {
	l := &Lists{}
	var err error
	if l.disposable, l.counts.Disposable, err = domainSet("disposable", disposable); err != nil {
		return nil, err
	}
	if l.wildcard, l.counts.DisposableWildcard, err = domainSet("disposable-wildcard", wildcard); err != nil {
		return nil, err
	}
	if l.free, l.counts.Free, err = domainSet("free", free); err != nil {
		return nil, err
	}
	l.role = make(set, lineCount(role)+16)
	for line, n := range lines(role) {
		if strings.ContainsAny(line, " \t@") || line != strings.ToLower(line) {
			return nil, fmt.Errorf("domains: role list line %d: bad entry %q", n, line)
		}
		l.role[line] = struct{}{}
		l.counts.Role++
	}
	for r := range strings.FieldsSeq(builtinRoles) {
		l.role[r] = struct{}{}
	}
	if l.counts.Disposable == 0 || l.counts.Free == 0 || l.counts.Role == 0 {
		return nil, fmt.Errorf("domains: an embedded list is empty: %+v", l.counts)
	}
	return l, nil
}

// domainSet parses a domain list. Entries must be lower-case with at least
// two labels; non-ASCII (IDN) entries are indexed in both Unicode and
// punycode form.
func domainSet(name, text string) (set, int, error) {
	s := make(set, lineCount(text))
	count := 0
	var profile *idna.Profile
	for line, n := range lines(text) {
		if !strings.Contains(line, ".") || strings.ContainsAny(line, " \t@*") || line != strings.ToLower(line) ||
			strings.HasPrefix(line, ".") || strings.HasSuffix(line, ".") {
			return nil, 0, fmt.Errorf("domains: %s list line %d: bad entry %q", name, n, line)
		}
		s[line] = struct{}{}
		count++
		if !isASCII(line) {
			if profile == nil {
				profile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.Transitional(false))
			}
			if a, err := profile.ToASCII(line); err == nil {
				s[a] = struct{}{}
			}
		}
	}
	return s, count, nil
}

// Disposable reports whether domain, or any parent domain of it, is on the
// disposable list, or whether it is a subdomain of a wildcard entry. Case,
// surrounding space and a trailing dot are ignored. Pass the ASCII form
// (address.Address.Domain); Unicode forms of listed IDN domains match too.
func (l *Lists) Disposable(domain string) bool {
	d := normDomain(domain)
	if d == "" {
		return false
	}
	if l.disposable.has(d) {
		return true
	}
	for i := strings.IndexByte(d, '.'); i >= 0; i = strings.IndexByte(d, '.') {
		d = d[i+1:]
		if !strings.Contains(d, ".") {
			break // d is a TLD; lists hold no single-label entries
		}
		if l.disposable.has(d) || l.wildcard.has(d) {
			return true
		}
	}
	return false
}

// Free reports whether domain is exactly a listed free mailbox provider
// (subdomains are not matched). Case, surrounding space and a trailing dot
// are ignored.
func (l *Lists) Free(domain string) bool {
	return l.free.has(normDomain(domain))
}

// Role reports whether local is a role-account local part (info, sales,
// postmaster, …). Matching is case-insensitive, ignores a "+tag" suffix
// ("Info+x" is a role) and the quotes of a quoted local part.
func (l *Lists) Role(local string) bool {
	s := strings.TrimSpace(local)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	if i := strings.IndexByte(s, '+'); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return false
	}
	return l.role.has(lower(s))
}

// Counts returns the number of entries loaded from each list.
func (l *Lists) Counts() Counts { return l.counts }

// normDomain trims space and one trailing dot and lower-cases.
func normDomain(d string) string {
	return lower(strings.TrimSuffix(strings.TrimSpace(d), "."))
}

// lower is strings.ToLower without an allocation for the common case of
// input that is already lower-case ASCII.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lines yields the trimmed, non-empty, non-comment lines of text with their
// 1-based line numbers. The strings share text's memory.
func lines(text string) func(yield func(string, int) bool) {
	return func(yield func(string, int) bool) {
		n := 0
		for line := range strings.Lines(text) {
			n++
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' {
				continue
			}
			if !yield(line, n) {
				return
			}
		}
	}
}

func lineCount(text string) int { return strings.Count(text, "\n") + 1 }
