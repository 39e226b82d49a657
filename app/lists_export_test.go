package app_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The export gives the uploaded file back row for row, in its order, with
// the verdict columns added: duplicates carry their address's verdict, an
// address that does not parse is undeliverable/invalid_syntax (as
// /v1/verify answers it, and free), and only rows without an address are
// skipped. Options choose unique addresses or a status, each download with
// its own file name.
func TestExportGivesEveryRowBack(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	api := h.browser()

	// 20 rows: 14 addresses (ann and bob deliverable, 4 on the catch-all
	// risky, 8 unknown mailboxes undeliverable), 3 duplicates, 2 rows
	// without an address, 1 address that does not parse.
	emails := []string{"ann@shop.test", "x1@catchall.test", "", "nobody1@shop.test", "ANN@shop.test", "bob@shop.test",
		"not-an-email", "x2@catchall.test", "nobody2@shop.test", "nobody3@shop.test", "Bob@shop.test", "x3@catchall.test",
		"", "nobody4@shop.test", "nobody5@shop.test", "x1@catchall.test", "nobody6@shop.test", "x4@catchall.test",
		"nobody7@shop.test", "nobody8@shop.test"}
	var file strings.Builder
	file.WriteString("id,email\n")
	for i, e := range emails {
		fmt.Fprintf(&file, "%d,%s\n", i+1, e)
	}
	res := api.upload("/v1/lists", key, "", "twenty.csv", file.String(), map[string]string{"name": "Twenty"})
	expect(t, res, http.StatusCreated)
	l := waitList(t, api, key, decodeList(t, res).ID)
	if l.Total != 20 || l.Unique != 15 || l.Duplicates != 3 || l.Skipped != 2 || l.Processed != 15 {
		t.Fatalf("list %+v", l)
	}
	if c := l.Counts; c.Deliverable != 2 || c.Risky != 4 || c.Undeliverable != 9 || c.Unknown != 0 {
		t.Fatalf("counts %+v, want the invalid address among the undeliverable", c)
	}
	// Only the 14 addresses the engine verified were charged.
	if used := countRows(t, h, "SELECT month_used FROM quota_usage"); used != 14 {
		t.Fatalf("month used %d, want 14", used)
	}

	export := func(query, wantFile string) [][]string {
		t.Helper()
		res := api.api("GET", "/v1/lists/"+l.ID+"/export"+query, key)
		expect(t, res, http.StatusOK)
		if cd := res.Header.Get("Content-Disposition"); !strings.Contains(cd, `filename="Twenty-`+wantFile+`.csv"`) {
			t.Fatalf("export%s is named %q, want Twenty-%s.csv", query, cd, wantFile)
		}
		recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"id", "email", "mailvet_status", "mailvet_reason"}; !slices.Equal(recs[0][:4], want) {
			t.Fatalf("header %v", recs[0])
		}
		return recs[1:]
	}
	col := func(name string) int {
		return slices.Index([]string{"id", "email", "mailvet_status", "mailvet_reason", "mailvet_score", "mailvet_disposable", "mailvet_role",
			"mailvet_free", "mailvet_catch_all", "mailvet_suggestion", "mailvet_duplicate", "mailvet_skip_reason"}, name)
	}

	all := export("", "all-rows")
	if len(all) != 20 {
		t.Fatalf("all rows: %d, want 20", len(all))
	}
	for i, rec := range all {
		if rec[0] != fmt.Sprint(i+1) || rec[1] != emails[i] {
			t.Fatalf("row %d is %v, want the upload's row %d (%s)", i+1, rec, i+1, emails[i])
		}
		status, reason, dup, skip := rec[col("mailvet_status")], rec[col("mailvet_reason")], rec[col("mailvet_duplicate")], rec[col("mailvet_skip_reason")]
		switch e := strings.ToLower(emails[i]); {
		case e == "":
			if status != "" || skip != "no_email" || dup != "false" {
				t.Errorf("blank row %v: want an empty verdict and no_email", rec)
			}
		case e == "not-an-email":
			if status != "undeliverable" || reason != "invalid_syntax" || skip != "" {
				t.Errorf("invalid row %v: want undeliverable/invalid_syntax", rec)
			}
		case slices.Contains([]int{5, 11, 16}, i+1):
			first := all[slices.IndexFunc(emails, func(s string) bool { return strings.EqualFold(s, e) })]
			if dup != "true" || status != first[col("mailvet_status")] || reason != first[col("mailvet_reason")] || status == "" {
				t.Errorf("duplicate %v: want mailvet_duplicate true and the verdict of %v", rec, first)
			}
		default:
			if dup != "false" || status == "" {
				t.Errorf("row %v: want a verdict, not a duplicate", rec)
			}
		}
	}
	if unique := export("?rows=unique", "unique"); len(unique) != 15 {
		t.Fatalf("unique addresses: %d rows, want 15", len(unique))
	}
	deliverable := export("?rows=unique&status=deliverable", "deliverable")
	if len(deliverable) != 2 || deliverable[0][1] != "ann@shop.test" || deliverable[1][1] != "bob@shop.test" {
		t.Fatalf("deliverable: %v", deliverable)
	}
	if rows := export("?status=deliverable", "deliverable-all-rows"); len(rows) != 4 {
		t.Fatalf("deliverable rows with their duplicates: %v", rows)
	}
	if rows := export("?rows=duplicates", "duplicates"); len(rows) != 3 {
		t.Fatalf("duplicates: %v", rows)
	}
	if rows := export("?rows=skipped", "skipped"); len(rows) != 2 {
		t.Fatalf("skipped: %v", rows)
	}

	// The results API agrees with /v1/verify, which charges nothing for
	// the invalid address either.
	res = api.api("GET", "/v1/lists/"+l.ID+"/results?status=undeliverable&reason=invalid_syntax", key)
	expect(t, res, http.StatusOK, `"email":"not-an-email"`)
	var verdict struct{ Status, Reason string }
	res = api.apiJSON("POST", "/v1/verify", key, `{"email":"not-an-email"}`)
	expect(t, res, http.StatusOK)
	if err := json.Unmarshal([]byte(res.body), &verdict); err != nil || verdict.Status != "undeliverable" || verdict.Reason != "invalid_syntax" {
		t.Fatalf("/v1/verify: %s", res.body)
	}
	if used := countRows(t, h, "SELECT month_used FROM quota_usage"); used != 14 {
		t.Fatalf("month used %d after verifying an invalid address, want 14", used)
	}

	// The page offers each download.
	page := owner.get("/lists/" + l.ID)
	expect(t, page, http.StatusOK, "All 20 rows", "Unique addresses (15)", "Deliverable (2)", "Duplicates (3)", "Skipped rows (2)",
		`/lists/`+l.ID+`/export.csv?rows=unique&amp;status=deliverable`)
	dl := owner.get("/lists/" + l.ID + "/export.csv?rows=unique&status=risky")
	expect(t, dl, http.StatusOK, "x1@catchall.test")
	if cd := dl.Header.Get("Content-Disposition"); !strings.Contains(cd, "Twenty-risky.csv") {
		t.Fatalf("page download named %q", cd)
	}
	expect(t, owner.get("/lists/"+l.ID+"/export.csv?rows=some"), http.StatusBadRequest)
}
