package lists_test

import (
	"encoding/csv"
	"errors"
	"slices"
	"strings"
	"testing"

	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// Every exported row lines up with the export's header, even when a row
// has more fields than the file's header, or the file has no header.
func TestExportColumnsLineUp(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob"}}}})
	e := setup(t, world, lists.Options{})
	e.start(1)
	w := e.workspace(t, "acme")
	ctx := t.Context()

	for _, c := range []struct {
		name, file string
		header     []string
	}{
		{"wider row", "email,name\nann@shop.test,Ann\nbob@shop.test,Bob,extra,more\n", []string{"email", "name", "column_3", "column_4"}},
		{"no header", "Ann,ann@shop.test\nBob,bob@shop.test,vip\n", []string{"column_1", "email", "column_3"}},
		{"one column", "ann@shop.test\nbob@shop.test\n", []string{"email"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, _, err := e.store.Create(ctx, lists.NewList{TenantID: w.ID, By: w.Owner, Name: c.name, File: strings.NewReader(c.file)})
			if err != nil {
				t.Fatal(err)
			}
			e.wait(t, w.ID, l.ID, w.Owner, done)
			var out strings.Builder
			if err := e.store.Export(ctx, w.ID, l.ID, lists.ExportOptions{}, w.Owner, &out); err != nil {
				t.Fatal(err)
			}
			records, err := csv.NewReader(strings.NewReader(out.String())).ReadAll() // fails on ragged rows
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			status := slices.Index(records[0], "mailvet_status")
			if got := records[0][:status]; !slices.Equal(got, c.header) {
				t.Fatalf("header %q, want %q", got, c.header)
			}
			for _, r := range records[1:] {
				if r[status] != "deliverable" {
					t.Fatalf("row %q: mailvet_status is %q\n%s", r, r[status], out.String())
				}
			}
		})
	}
}

// Results come in row order, limit at a time, each page's cursor leading
// to the next, filtered by status when asked.
func TestResultsPages(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob", "cy"}}}})
	e := setup(t, world, lists.Options{})
	e.start(1)
	w := e.workspace(t, "acme")
	ctx := t.Context()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: w.ID, By: w.Owner, Name: "pages",
		Emails: []string{"ann@shop.test", "nobody@shop.test", "Bob@shop.test", "cy@shop.test", "ann@shop.test"}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, w.ID, l.ID, w.Owner, done)
	var rows []int
	cursor := ""
	for range 5 {
		page, err := e.store.Results(ctx, w.ID, l.ID, "", "", cursor, 2, w.Owner)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			rows = append(rows, r.Row)
			if r.Domain != "shop.test" || r.Normalized == "" || r.CheckedAt == nil {
				t.Errorf("row %+v lacks its address parts or time", r)
			}
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	if !slices.Equal(rows, []int{1, 2, 3, 4}) {
		t.Fatalf("pages gave rows %v, want 1 to 4 (row 5 is a duplicate)", rows)
	}
	page, err := e.store.Results(ctx, w.ID, l.ID, "undeliverable", "", "", 10, w.Owner)
	if err != nil || len(page.Results) != 1 || page.Results[0].Email != "nobody@shop.test" || page.Next != "" {
		t.Fatalf("undeliverable results %+v %v, want nobody's row alone", page, err)
	}
	if _, err := e.store.Results(ctx, w.ID, l.ID, "", "", "not a cursor", 10, w.Owner); !errors.Is(err, lists.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
}
