package lists_test

import (
	"encoding/csv"
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
	tenant := e.tenant(t, "acme")
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
			l, _, err := e.store.Create(ctx, lists.NewList{TenantID: tenant, Name: c.name, File: strings.NewReader(c.file)})
			if err != nil {
				t.Fatal(err)
			}
			e.wait(t, tenant, l.ID, func(l lists.List) bool { return l.Status == lists.StatusCompleted })
			var out strings.Builder
			if err := e.store.Export(ctx, tenant, l.ID, "", &out); err != nil {
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
