package address

import "strings"

// Suggest returns a likely intended domain when domain looks like a typo of
// a popular mailbox provider or of a common top-level domain, or "" when it
// does not (including when domain is itself a known provider). Pass the
// ASCII form (Address.Domain); case and a trailing dot are ignored.
//
// It is deliberately conservative, since a wrong "did you mean" is worse
// than none:
//   - Suffix typos that are not real TLDs (con, cmo, comm, nett, ogr,
//     cou.k, …) are corrected for any domain: example.con → example.com.
//   - Suffix typos that are themselves real country TLDs (cm, om, co, ne)
//     are corrected only when that yields a known provider: gmail.co →
//     gmail.com, but example.cm and example.co are left alone.
//   - The name part (before the suffix) is compared with the providers
//     sharing the (corrected) suffix using optimal-string-alignment
//     (restricted Damerau-Levenshtein) distance, allowing 1 edit for names of
//     5–9 letters and 2 for 10 or more; shorter names (aol, msn, me, gmx, …)
//     get no fuzzy matching, only suffix fixes. A tie between two providers
//     gives no suggestion.
//   - A known provider name under another real suffix (gmx.at, yahoo.co.id,
//     comcast.com) is never "corrected": it may well be legitimate.
func Suggest(domain string) string {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	if d == "" || len(d) > MaxDomainLen || !isASCII(d) || !strings.Contains(d, ".") {
		return ""
	}
	if isProvider(d) || isNotTypo(d) {
		return ""
	}

	name, suffix := splitSuffix(d)
	if name == "" {
		return ""
	}
	fixed, providerOnly := fixSuffix(suffix)
	// 1. A suffix typo away from a known provider: gmail.con, yahoo.co.
	if fixed != suffix {
		if cand := name + "." + fixed; isProvider(cand) {
			return cand
		}
	}
	// 2. A typo in the name of a provider (with the corrected suffix):
	// gmial.com, hotmial.con, yahooo.co.uk.
	if p := nearestProvider(name, fixed); p != "" {
		return p
	}
	// 3. A suffix that is no real TLD, for any domain: example.con.
	if fixed != suffix && !providerOnly {
		return name + "." + fixed
	}
	return ""
}

// nearestProvider returns the one provider with the given suffix whose name
// part is within the allowed edit distance of name, or "".
func nearestProvider(name, suffix string) string {
	best, bestDist, tie := "", 1<<30, false
	for p := range strings.SplitSeq(providerList, "\n") {
		pname, psuffix := splitSuffix(p)
		if psuffix != suffix {
			continue
		}
		limit := maxEdits(pname)
		if limit == 0 || abs(len(pname)-len(name)) > limit {
			continue
		}
		dist := osaDistance(name, pname)
		switch {
		case dist > limit:
		case dist < bestDist:
			best, bestDist, tie = p, dist, false
		case dist == bestDist:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// maxEdits is the edit budget for matching a provider name part.
func maxEdits(pname string) int {
	switch n := len(pname); {
	case n >= 10:
		return 2
	case n >= 5:
		return 1
	}
	return 0
}

// splitSuffix splits d into a name and a public suffix: the last label, or
// the last two when they look like a two-level country suffix (co.uk,
// com.au, ne.jp, …) or a known typo of one (cou.k).
func splitSuffix(d string) (name, suffix string) {
	last := strings.LastIndexByte(d, '.')
	if last < 0 {
		return d, ""
	}
	if prev := strings.LastIndexByte(d[:last], '.'); prev >= 0 {
		two := d[prev+1:]
		sld, tld := two[:last-prev-1], two[last-prev:]
		if _, _, ok := suffixTypo(two); ok {
			return d[:prev], two
		}
		if len(tld) == 2 && isSecondLevel(sld) {
			return d[:prev], two
		}
	}
	return d[:last], d[last+1:]
}

// fixSuffix corrects a mistyped suffix. providerOnly is set when the typo
// is itself a real TLD, so the fix may be applied only to known providers.
func fixSuffix(s string) (fixed string, providerOnly bool) {
	if to, po, ok := suffixTypo(s); ok {
		return to, po
	}
	return s, false
}

// osaDistance is the optimal string alignment distance between a and b:
// insertions, deletions, substitutions and transpositions of adjacent
// bytes, each costing 1, no substring edited twice.
func osaDistance(a, b string) int {
	// Three rolling rows: two back (for transpositions), previous, current.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
