package csvin

import (
	"bytes"
	"encoding/csv"
	"strings"

	"mailvet/verify/address"
)

const (
	sniffSize  = 64 << 10 // bytes looked at before the first row is read
	sampleRows = 50       // data rows used to find the email column
)

// delimiters are the candidates, in order of preference on a tie.
const delimiters = ",;\t"

// refuseFormat recognises files that are not text at all.
func refuseFormat(b []byte) *FileError {
	msg := ""
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		msg = "the file is UTF-16 text; save it as CSV UTF-8"
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		msg = "this looks like an Excel workbook or a zip archive; export it as CSV UTF-8"
	case bytes.HasPrefix(b, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		msg = "this looks like an old Excel (.xls) workbook; export it as CSV UTF-8"
	default:
		return nil
	}
	return &FileError{Line: 1, Msg: msg}
}

// sniffDelimiter picks the delimiter from the first records of sample, or
// returns 0 for plain text. Quotes are tracked loosely (every '"' toggles)
// so that a malformed line does not stop the count.
func sniffDelimiter(sample []byte) rune {
	var counts [len(delimiters)][]int // fields per record, per candidate
	var cur [len(delimiters)]int
	inQuote, content := false, false
	end := func() {
		if content {
			for k := range delimiters {
				counts[k] = append(counts[k], cur[k]+1)
			}
		}
		cur = [len(delimiters)]int{}
		content = false
	}
	for _, c := range sample {
		if len(counts[0]) > sampleRows {
			break
		}
		switch {
		case c == '"':
			inQuote, content = !inQuote, true
		case inQuote:
		case c == '\n':
			end()
		case c == ' ' || c == '\r':
		default:
			content = true
			if k := strings.IndexByte(delimiters, c); k >= 0 {
				cur[k]++
			}
		}
	}
	end()

	type candidate struct {
		delim             rune
		width, freq, hits int
	}
	var best candidate
	for k, d := range delimiters {
		width, freq := commonWidth(counts[k])
		if width < 2 || freq*2 < len(counts[k]) {
			continue
		}
		c := candidate{d, width, freq, -1}
		switch {
		case best.delim == 0 || c.freq > best.freq:
			best = c
		case c.freq == best.freq:
			// Tie: prefer the split that yields a column of addresses
			// ("Doe, John;jo@x.com"), then the one with more columns.
			if best.hits < 0 {
				best.hits = maxHits(sampleRecords(sample, best.delim))
			}
			c.hits = maxHits(sampleRecords(sample, c.delim))
			if c.hits > best.hits || c.hits == best.hits && c.width > best.width {
				best = c
			}
		}
	}
	return best.delim
}

// commonWidth returns the most common field count above one (the larger
// on ties) and how many records have it.
func commonWidth(counts []int) (width, freq int) {
	seen := map[int]int{}
	for _, n := range counts {
		if n < 2 {
			continue
		}
		seen[n]++
		if f := seen[n]; f > freq || f == freq && n > width {
			width, freq = n, f
		}
	}
	return width, freq
}

// sampleRecords parses the records of sample (at most sampleRows+1),
// stopping quietly at the first syntax error: the main pass reports it.
func sampleRecords(sample []byte, delim rune) [][]string {
	var recs [][]string
	if delim == 0 {
		for line := range bytes.Lines(sample) {
			if len(recs) > sampleRows {
				break
			}
			line = bytes.TrimRight(line, "\r\n")
			if len(line) > 0 {
				recs = append(recs, []string{unquoteLine(string(line))})
			}
		}
		return recs
	}
	cr := csv.NewReader(bytes.NewReader(sample))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	for len(recs) <= sampleRows {
		rec, err := cr.Read()
		if err != nil {
			break
		}
		recs = append(recs, rec)
	}
	return recs
}

// unquoteLine undoes CSV quoting of a plain-text line that is exactly one
// quoted field ("jo@x.com"); anything else is returned as is, so that
// "john doe"@example.com survives.
func unquoteLine(s string) string {
	t := strings.TrimSpace(s)
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return s
	}
	inner := t[1 : len(t)-1]
	if strings.Count(inner, `"`) != 2*strings.Count(inner, `""`) {
		return s
	}
	return strings.ReplaceAll(inner, `""`, `"`)
}

func isAddress(s string) bool {
	_, p := address.Parse(s)
	return p == nil
}

// columnHits counts, per column, the records whose field is an address.
func columnHits(recs [][]string) []int {
	var hits []int
	for _, rec := range recs {
		for len(hits) < len(rec) {
			hits = append(hits, 0)
		}
		for i, f := range rec {
			if isAddress(f) {
				hits[i]++
			}
		}
	}
	return hits
}

func maxHits(recs [][]string) int {
	m := 0
	for _, h := range columnHits(recs) {
		m = max(m, h)
	}
	return m
}

func hasAddress(rec []string) bool {
	for _, f := range rec {
		if isAddress(f) {
			return true
		}
	}
	return false
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// isHeader reports whether recs[0] is a header: none of its fields is an
// address, and a field is named like an email column or the next
// non-blank record holds an address.
func isHeader(recs [][]string) bool {
	if len(recs) == 0 || hasAddress(recs[0]) {
		return false
	}
	for _, f := range recs[0] {
		if emailNameTier(f) > 0 {
			return true
		}
	}
	for _, rec := range recs[1:] {
		if !blankRecord(rec) {
			return hasAddress(rec)
		}
	}
	return false
}

// emailNameTier is 2 for a header naming an email column outright, 1 for
// one that mentions email ("Work Email", "email_2"), 0 otherwise.
func emailNameTier(name string) int {
	n := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.', '\t':
			return -1
		}
		return r
	}, strings.ToLower(name))
	switch n {
	case "email", "emails", "mail", "emailaddress", "emailaddresses", "mailaddress",
		"emailadresse", "adresseemail", "adressemail", "courriel",
		"adressecourriel", "correo", "correoelectronico", "correoelectrónico",
		"emailadres", "epost", "epostadresse", "eposta", "sähköposti", "postaelettronica",
		"indirizzoemail", "correioeletronico", "correioeletrônico", "emailid":
		return 2
	}
	for _, part := range []string{"email", "courriel", "correo"} {
		if strings.Contains(n, part) {
			return 1
		}
	}
	return 0
}

// namedColumn picks, among header fields named like an email column, the
// best-named one holding addresses in the sample (most hits); failing
// that, first is the first best-named column, or -1.
func namedColumn(header []string, hits []int) (withHits, first int) {
	withHits, first = -1, -1
	for tier := 2; tier > 0; tier-- {
		for i, name := range header {
			if emailNameTier(name) != tier {
				continue
			}
			if first < 0 {
				first = i
			}
			if i < len(hits) && hits[i] > 0 && (withHits < 0 || hits[i] > hits[withHits]) {
				withHits = i
			}
		}
		if withHits >= 0 {
			return withHits, first
		}
	}
	return withHits, first
}
