package lists_test

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"

	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// formulaCells start with each character a spreadsheet takes for a
// formula (OWASP "CSV injection").
var formulaCells = []string{`=HYPERLINK("http://evil.test","x")`, "+1+1", "-2+3", "@SUM(A1:A9)", "\tcmd", "\rcmd"}

// readCSV parses an export and fails on ragged rows.
func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	records, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	return records
}

// Every CSV the lists write (all rows, unique addresses, duplicates,
// skipped rows) gives an uploaded formula back as text: the cell gets a
// leading quote.
func TestExportsNeutraliseFormulas(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", CatchAll: true}}})
	e := setup(t, world, lists.Options{})
	e.start(1)
	a := e.workspace(t, "alpha")
	ctx := context.Background()

	var file strings.Builder
	w := csv.NewWriter(&file)
	_ = w.Write([]string{"email", "=note"})
	for i, cell := range formulaCells {
		_ = w.Write([]string{"user" + string(rune('a'+i)) + "@shop.test", cell}) // verified
		_ = w.Write([]string{"USER" + string(rune('a'+i)) + "@shop.test", cell}) // a duplicate
		_ = w.Write([]string{cell + string(rune('a'+i)), cell})                  // undeliverable: not an address
		_ = w.Write([]string{"", cell})                                          // skipped: no address
	}
	w.Flush()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "formulas", File: strings.NewReader(file.String())})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, a.ID, l.ID, a.Owner, done)

	n := len(formulaCells)
	exports := map[string]int{lists.RowsAll: 4 * n, lists.RowsUnique: 2 * n, lists.RowsDuplicates: n, lists.RowsSkipped: n}
	for rows, want := range exports {
		t.Run(rows, func(t *testing.T) {
			var out strings.Builder
			if err := e.store.Export(ctx, a.ID, l.ID, lists.ExportOptions{Rows: rows}, a.Owner, &out); err != nil {
				t.Fatal(err)
			}
			records := readCSV(t, out.String())
			if len(records) != want+1 {
				t.Fatalf("%d records, want %d:\n%s", len(records), want+1, out.String())
			}
			seen := map[string]bool{}
			for _, r := range records {
				for _, cell := range r {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Errorf("cell %q is live in a spreadsheet", cell)
					}
					seen[cell] = true
				}
			}
			if !seen["'=note"] {
				t.Errorf("header cell =note not neutralised: %q", records[0])
			}
			for _, cell := range formulaCells {
				if !seen["'"+cell] {
					t.Errorf("uploaded %q does not come back as '%s:\n%s", cell, cell, out.String())
				}
			}
		})
	}
}

// A NUL byte in a cell is not a server error: it is dropped from the
// stored cells, and an address that held one is undeliverable/
// invalid_syntax (never verified as some other address).
func TestNULInCellsIsStoredWithout(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", CatchAll: true}}})
	e := setup(t, world, lists.Options{})
	e.start(1)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	file := "email,name\nann@shop.test,An\x00n\nb\x00ob@shop.test,Bob\n"
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "nul", File: strings.NewReader(file)})
	if err != nil {
		t.Fatalf("upload with NUL bytes: %v", err)
	}
	if l.UniqueRows != 2 || l.SkippedRows != 0 || l.Undeliverable != 1 || l.ProcessedRows != 1 {
		t.Fatalf("list %+v: want one row to verify and one undeliverable at once", l)
	}
	e.wait(t, a.ID, l.ID, a.Owner, done)
	var out strings.Builder
	if err := e.store.Export(ctx, a.ID, l.ID, lists.ExportOptions{}, a.Owner, &out); err != nil {
		t.Fatal(err)
	}
	r := readCSV(t, out.String())
	if len(r) != 3 || r[1][0] != "ann@shop.test" || r[1][1] != "Ann" || r[1][2] == "" {
		t.Fatalf("export %q, want ann verified with her name without the NUL", r)
	}
	if r[2][0] != "bob@shop.test" || r[2][2] != "undeliverable" || r[2][3] != "invalid_syntax" {
		t.Fatalf("export %q, want bob's row undeliverable/invalid_syntax", r)
	}
	_, _, err = e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "json", Emails: []string{"c\x00y@shop.test", "dee@shop.test"}})
	if err != nil {
		t.Fatalf("JSON upload with a NUL byte: %v", err)
	}
}

// A list name with a control character (CR/LF, NUL, tab) or more than 200
// characters is refused; 200 characters of ä are fine.
func TestListNames(t *testing.T) {
	e := setup(t, mailsim.Start(t, mailsim.Config{}), lists.Options{})
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	for _, name := range []string{"", "two\r\nlines", "nul\x00", "tab\there", "bell\a", strings.Repeat("ä", 201), "bad utf-8 \xff"} {
		if _, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: name, Emails: []string{"ann@y.test"}}); !errors.Is(err, lists.ErrInvalidName) {
			t.Errorf("name %q: %v, want ErrInvalidName", name, err)
		}
	}
	if _, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: strings.Repeat("ä", 200), Emails: []string{"ann@y.test"}}); err != nil {
		t.Errorf("200 characters: %v", err)
	}
}
