package listbench

import (
	"io"
	"testing"

	"mailvet/lists/csvin"
)

// The generated list reads back as it was described: every row parses,
// the duplicates are exactly the rows DuplicateOf names, of the rows it
// names, and some differ only in case.
func TestGenDuplicates(t *testing.T) {
	const rows = 20_000
	g := NewGen(GenOptions{Rows: rows, DupEvery: 10, Seed: 3})
	r, err := csvin.NewReader(g, csvin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h := r.Header(); len(h) != 4 || r.EmailIndex() != 2 {
		t.Fatalf("header %q, email column %d", h, r.EmailIndex())
	}
	seen := map[string]int{}
	dups, variants := 0, map[Variant]int{}
	for {
		row, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if row.Skip != "" || len(row.Fields) != 4 {
			t.Fatalf("row %d: skip %q, %d fields", row.Number, row.Skip, len(row.Fields))
		}
		key := csvin.DedupeKey(csvin.DedupeCaseInsensitive, row.Address)
		want, v, isDup := g.DuplicateOf(row.Number)
		first, seenBefore := seen[key]
		switch {
		case isDup != seenBefore:
			t.Fatalf("row %d (%s): generated duplicate %v, found duplicate %v", row.Number, row.Email, isDup, seenBefore)
		case isDup && first != want:
			t.Fatalf("row %d (%s) repeats row %d, generator says %d", row.Number, row.Email, first, want)
		case isDup:
			dups++
			variants[v]++
		default:
			seen[key] = row.Number
		}
	}
	if dups != g.Duplicates() || dups != rows/10 || len(seen) != g.Unique() {
		t.Fatalf("%d duplicates (generator says %d), %d unique (says %d)", dups, g.Duplicates(), len(seen), g.Unique())
	}
	if variants[UpperCase] == 0 || variants[Capital] == 0 || variants[Exact] == 0 {
		t.Fatalf("variants %v", variants)
	}
	if g.Bytes() == 0 {
		t.Fatal("no bytes counted")
	}
}
