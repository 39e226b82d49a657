// Package listbench measures bulk lists at scale: ingest of a generated
// million-row CSV through lists.Store.Create, export of a million verdicts
// through lists.Store.Export, and a list verified end to end by one worker
// on the simulated reference farm. `mailvet-bench lists` and the Go
// benchmarks in this package both run these measurements; the services
// are built through package wiring, as `mailvet serve` builds them.
package listbench

import (
	"io"
	"strconv"
)

// GenOptions describe a generated contact list.
type GenOptions struct {
	Rows int // data rows, header excluded
	// DupEvery makes every DupEvery-th row (DupEvery ≥ 2) repeat the
	// address of an earlier unique row, half of them differing only in
	// case; 0 means no duplicates.
	DupEvery int
	Seed     uint64
	// Email appends the address of unique contact k (0-based) to dst; nil
	// means a synthetic address under .test, unique for each k.
	Email func(dst []byte, k int) []byte
}

// Gen is a CSV contact list (first_name,last_name,email,company) produced
// row by row as it is read: the whole file never exists in memory.
type Gen struct {
	o     GenOptions
	row   int // data rows produced
	buf   []byte
	pos   int
	bytes int64
}

// Header is the first line of every generated list.
const Header = "first_name,last_name,email,company\n"

// NewGen returns a generator for o.
func NewGen(o GenOptions) *Gen {
	if o.DupEvery == 1 {
		o.DupEvery = 2 // every row cannot repeat an earlier one
	}
	if o.Email == nil {
		o.Email = syntheticEmail
	}
	return &Gen{o: o, buf: append(make([]byte, 0, 256), Header...)}
}

// Read implements io.Reader.
func (g *Gen) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if g.pos == len(g.buf) {
			if g.row == g.o.Rows {
				break
			}
			g.row++
			g.buf, g.pos = g.appendRow(g.buf[:0], g.row), 0
		}
		c := copy(p[n:], g.buf[g.pos:])
		g.pos += c
		n += c
	}
	g.bytes += int64(n)
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

// Bytes is how many bytes were read so far.
func (g *Gen) Bytes() int64 { return g.bytes }

// Rows is the number of data rows.
func (g *Gen) Rows() int { return g.o.Rows }

// Duplicates is how many rows repeat an earlier address.
func (g *Gen) Duplicates() int {
	if g.o.DupEvery == 0 {
		return 0
	}
	return g.o.Rows / g.o.DupEvery
}

// Unique is how many distinct addresses (case aside) the list holds.
func (g *Gen) Unique() int { return g.o.Rows - g.Duplicates() }

// Variant says how a duplicate's address is written.
type Variant int

const (
	Exact     Variant = iota // as in the first row
	UpperCase                // "ANN.SMITH7@MAIL07.TEST"
	Capital                  // "Ann.smith7@Mail07.test"
)

// DuplicateOf tells, for data row row (1-based), whether it is a
// duplicate, of which earlier row, and how its address is written.
func (g *Gen) DuplicateOf(row int) (first int, v Variant, ok bool) {
	d := g.o.DupEvery
	if d == 0 || row%d != 0 || row < 1 || row > g.o.Rows {
		return 0, 0, false
	}
	h := mix(g.o.Seed ^ uint64(row)*0x9e3779b97f4a7c15)
	k := int(h % uint64(row-row/d)) // one of the unique contacts before row
	switch (h >> 32) % 4 {
	case 2:
		v = UpperCase
	case 3:
		v = Capital
	}
	return uniqueRow(k, d), v, true
}

// uniqueIndex is the 0-based contact of a row that is not a duplicate.
func uniqueIndex(row, d int) int {
	if d == 0 {
		return row - 1
	}
	return row - 1 - (row-1)/d
}

// uniqueRow is the row of unique contact k.
func uniqueRow(k, d int) int {
	if d == 0 {
		return k + 1
	}
	return k + k/(d-1) + 1
}

func (g *Gen) appendRow(b []byte, row int) []byte {
	k, v := 0, Exact
	if first, variant, ok := g.DuplicateOf(row); ok {
		k, v = uniqueIndex(first, g.o.DupEvery), variant
	} else {
		k = uniqueIndex(row, g.o.DupEvery)
	}
	b = append(b, firstNames[k%len(firstNames)]...)
	b = append(b, ',')
	b = append(b, lastNames[(k/len(firstNames))%len(lastNames)]...)
	b = append(b, ',')
	start := len(b)
	b = g.o.Email(b, k)
	switch v {
	case UpperCase:
		for i := start; i < len(b); i++ {
			if c := b[i]; 'a' <= c && c <= 'z' {
				b[i] = c - 'a' + 'A'
			}
		}
	case Capital:
		b[start] = upper(b[start])
		for i := start; i < len(b)-1; i++ {
			if b[i] == '@' {
				b[i+1] = upper(b[i+1])
			}
		}
	}
	b = append(b, ',')
	b = append(b, companies[k%len(companies)]...)
	return append(b, '\n')
}

// syntheticEmail is "first.lastK@mailNN.test": unique for each k, under a
// reserved top-level domain nobody can receive mail for.
func syntheticEmail(b []byte, k int) []byte {
	b = append(b, lowerFirst[k%len(lowerFirst)]...)
	b = append(b, '.')
	b = append(b, lowerLast[(k/len(lowerFirst))%len(lowerLast)]...)
	b = strconv.AppendInt(b, int64(k), 10)
	b = append(b, "@mail"...)
	b = strconv.AppendInt(b, int64(k%97), 10)
	return append(b, ".test"...)
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// mix is SplitMix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

var (
	firstNames = [...]string{"Ann", "Bob", "Carla", "Dmitri", "Emma", "Farid", "Grace", "Hugo", "Inès", "Jon", "Kemal", "Lena", "Mia", "Noah", "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara"}
	lowerFirst = [...]string{"ann", "bob", "carla", "dmitri", "emma", "farid", "grace", "hugo", "ines", "jon", "kemal", "lena", "mia", "noah", "olga", "pablo", "quinn", "rosa", "sven", "tara"}
	lastNames  = [...]string{"Smith", "García", "Müller", "Rossi", "Dubois", "Novak", "Kim", "Nguyen", "Silva", "Jensen", "Kowalski", "Ivanov", "Tanaka", "Okafor", "Haddad", "López"}
	lowerLast  = [...]string{"smith", "garcia", "muller", "rossi", "dubois", "novak", "kim", "nguyen", "silva", "jensen", "kowalski", "ivanov", "tanaka", "okafor", "haddad", "lopez"}
	companies  = [...]string{"Acme", `"Globex, Inc."`, "Initech", "Umbrella Corp", `"Stark Industries, LLC"`, "Wayne Enterprises", "Hooli", `"Vandelay Industries, ""Import/Export"""`, "Soylent", "Tyrell Corp", "Cyberdyne", "Wonka"}
)
