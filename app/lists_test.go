package app_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"
)

// upload posts a multipart list upload (options first, then the file).
func (b *browser) upload(path, key, idemKey, filename, content string, opts map[string]string) response {
	b.h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range opts {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.h.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	return b.do(req)
}

type listView struct {
	ID                                                string
	Name, Status                                      string
	TotalRows, UniqueRows, DuplicateRows, SkippedRows int `json:"-"`
	Total                                             int `json:"total_rows"`
	Unique                                            int `json:"unique_rows"`
	Duplicates                                        int `json:"duplicate_rows"`
	Skipped                                           int `json:"skipped_rows"`
	Processed                                         int `json:"processed_rows"`
	Progress                                          float64
	Counts                                            struct{ Deliverable, Undeliverable, Risky, Unknown int }
}

func decodeList(t *testing.T, res response) listView {
	t.Helper()
	var l listView
	if err := json.Unmarshal([]byte(res.body), &l); err != nil {
		t.Fatalf("%v: %s", err, res.body)
	}
	return l
}

// waitList polls the API until the list is finished.
func waitList(t *testing.T, b *browser, key, id string) listView {
	t.Helper()
	return waitListFor(t, b, key, id, 30*time.Second)
}

// waitListFor is waitList with its own time limit.
func waitListFor(t *testing.T, b *browser, key, id string, limit time.Duration) listView {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		res := b.api("GET", "/v1/lists/"+id, key)
		expect(t, res, http.StatusOK)
		l := decodeList(t, res)
		if l.Status == "completed" || l.Status == "cancelled" || l.Status == "failed" {
			return l
		}
		if time.Now().After(deadline) {
			t.Fatalf("list still %s after %s: %s", l.Status, limit, res.body)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

const sampleCSV = "name;email;company\r\n" +
	"Ann;ann@shop.test;Shop\r\n" +
	"Bob;\"bob@shop.test\";\"Shop; Inc\"\r\n" +
	"Nobody;nobody@shop.test;Shop\r\n" +
	"Ann again;ANN@shop.test;Shop\r\n" +
	"Catchy;x@catchall.test;Catch\r\n" +
	"Broken;bad@@x;Nope\r\n" +
	"Empty;;Nobody\r\n" +
	greyRow

// greyRow is sampleCSV's last row, an address whose server greylists.
const greyRow = "Grey;ann@grey.test;Grey\r\n"

func TestListUploadVerifyAndExport(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	api := h.browser()

	// 200 characters is the limit, whatever their bytes.
	expect(t, api.apiJSON("POST", "/v1/lists", key, `{"name":"`+strings.Repeat("é", 200)+`","emails":["a@shop.test"]}`), http.StatusCreated)
	res := api.upload("/v1/lists", key, "", "contacts.csv", "\ufeff"+sampleCSV, map[string]string{"name": "Contacts"})
	expect(t, res, http.StatusCreated)
	l := decodeList(t, res)
	// bad@@x is an address, undeliverable at once; the row without one is
	// the only row skipped.
	if l.Name != "Contacts" || l.Total != 8 || l.Unique != 6 || l.Duplicates != 1 || l.Skipped != 1 || l.Processed != 1 {
		t.Fatalf("ingested %+v", l)
	}
	l = waitList(t, api, key, l.ID)
	if l.Status != "completed" || l.Processed != 6 || l.Progress != 100 {
		t.Fatalf("finished %+v", l)
	}
	// ann, bob and (after its greylisting passed) ann@grey deliverable;
	// nobody and bad@@x undeliverable; the catch-all risky.
	if c := l.Counts; c.Deliverable != 3 || c.Undeliverable != 2 || c.Risky != 1 || c.Unknown != 0 {
		t.Fatalf("counts %+v", c)
	}

	res = api.api("GET", "/v1/lists/"+l.ID+"/export", key)
	expect(t, res, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %s", ct)
	}
	recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 9 || strings.Join(recs[0][:4], ",") != "name,email,company,mailvet_status" {
		t.Fatalf("export, want every row back:\n%s", res.body)
	}
	if recs[2][1] != "bob@shop.test" || recs[2][2] != "Shop; Inc" || recs[2][3] != "deliverable" {
		t.Fatalf("original columns not kept: %v", recs[2])
	}
	res = api.api("GET", "/v1/lists/"+l.ID+"/export?status=undeliverable", key)
	if n := strings.Count(strings.TrimSpace(res.body), "\n"); n != 2 || !strings.Contains(res.body, "nobody@shop.test,Shop,undeliverable,rejected_email") ||
		!strings.Contains(res.body, "bad@@x,Nope,undeliverable,invalid_syntax") {
		t.Fatalf("filtered export:\n%s", res.body)
	}
	res = api.api("GET", "/v1/lists/"+l.ID+"/duplicates", key)
	expect(t, res, http.StatusOK, "ANN@shop.test,Shop,deliverable,accepted")
	res = api.api("GET", "/v1/lists/"+l.ID+"/skipped", key)
	expect(t, res, http.StatusOK, "Empty,,Nobody,,,,,,,,,false,no_email")

	// Results, paginated and filtered.
	var page struct {
		Results []struct {
			Row                               int
			Email, Normalized, Domain, Status string
		}
		NextCursor string `json:"next_cursor"`
	}
	res = api.api("GET", "/v1/lists/"+l.ID+"/results?limit=2", key)
	expect(t, res, http.StatusOK, `"checked_at":"20`)
	_ = json.Unmarshal([]byte(res.body), &page)
	if len(page.Results) != 2 || page.NextCursor == "" || page.Results[0].Email != "ann@shop.test" ||
		page.Results[0].Normalized != "ann@shop.test" || page.Results[0].Domain != "shop.test" {
		t.Fatalf("page 1 %+v", page)
	}
	res = api.api("GET", "/v1/lists/"+l.ID+"/results?limit=10&cursor="+page.NextCursor, key)
	page.NextCursor = ""
	_ = json.Unmarshal([]byte(res.body), &page)
	if len(page.Results) != 4 || page.NextCursor != "" {
		t.Fatalf("page 2 %+v", page)
	}
	expectProblem(t, api.api("GET", "/v1/lists/"+l.ID+"/results?cursor=garbage", key), http.StatusBadRequest, "invalid_request")

	// Every row has exactly one result.
	if n := countRows(t, h, "SELECT count(*) FROM list_rows WHERE state = 'pending'"); n != 0 {
		t.Fatalf("%d rows still pending", n)
	}
	if n := countRows(t, h, "SELECT count(*) FROM river_job WHERE kind = 'lists.verify_batch' AND state <> 'completed'"); n != 0 {
		t.Fatalf("%d batch jobs not completed", n)
	}
}

func TestListUploadRefusals(t *testing.T) {
	h := newHarness(t, harnessOptions{listMaxRows: 3, uploadMaxBytes: 4096})
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	api := h.browser()

	res := api.upload("/v1/lists", key, "", "bad.csv", "email,name\na@shop.test,\"Ann\nb@shop.test,Bob\"x\n", nil)
	expectProblem(t, res, http.StatusUnprocessableEntity, "invalid_file")
	if !strings.Contains(res.body, "line") {
		t.Fatalf("no line number: %s", res.body)
	}
	expectProblem(t, api.upload("/v1/lists", key, "", "big.txt", "a@x.test\nb@x.test\nc@x.test\nd@x.test\n", nil), http.StatusUnprocessableEntity, "too_many_rows")
	expectProblem(t, api.upload("/v1/lists", key, "", "huge.txt", strings.Repeat("a@x.test\n", 1000), nil), http.StatusRequestEntityTooLarge, "file_too_large")
	expectProblem(t, api.upload("/v1/lists", key, "", "empty.csv", "", nil), http.StatusUnprocessableEntity, "invalid_file")
	expectProblem(t, api.upload("/v1/lists", key, "", "x.csv", "a@x.test\n", map[string]string{"dedupe": "fuzzy"}), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/lists", key, `{"name":"x"}`), http.StatusUnprocessableEntity, "invalid_request")
	expectProblem(t, api.apiJSON("POST", "/v1/lists", key, `{"emails":`), http.StatusBadRequest, "invalid_request")
	expectProblem(t, api.upload("/v1/lists", key, "", "x.csv", "a@x.test\n", map[string]string{"name": strings.Repeat("é", 201)}), http.StatusUnprocessableEntity, "invalid_request")
	if n := countRows(t, h, "SELECT (SELECT count(*) FROM lists) + (SELECT count(*) FROM list_rows) + (SELECT count(*) FROM river_job WHERE kind = 'lists.verify_batch')"); n != 0 {
		t.Fatalf("refused uploads left %d rows/jobs behind", n)
	}
}

func TestListJSONUploadIsIdempotent(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	api := h.browser()
	body := `{"name":"From CRM","emails":["ann@shop.test","bob@shop.test","ann@shop.test"]}`
	post := func(b, idem string) response {
		req, _ := http.NewRequest("POST", h.srv.URL+"/v1/lists", strings.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", idem)
		return api.do(req)
	}
	first := post(body, "crm-sync-42")
	expect(t, first, http.StatusCreated)
	again := post(body, "crm-sync-42")
	expect(t, again, http.StatusOK)
	if decodeList(t, first).ID != decodeList(t, again).ID || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("same key and body did not return the same list")
	}
	expectProblem(t, post(`{"emails":["other@shop.test"]}`, "crm-sync-42"), http.StatusUnprocessableEntity, "idempotency_key_reused")
	// File uploads too.
	up := api.upload("/v1/lists", key, "file-1", "a.txt", "ann@shop.test\n", nil)
	expect(t, up, http.StatusCreated)
	expect(t, api.upload("/v1/lists", key, "file-1", "a.txt", "ann@shop.test\n", nil), http.StatusOK, decodeList(t, up).ID)
	expectProblem(t, api.upload("/v1/lists", key, "file-1", "a.txt", "bob@shop.test\n", nil), http.StatusUnprocessableEntity, "idempotency_key_reused")
	if n := countRows(t, h, "SELECT count(*) FROM lists"); n != 2 {
		t.Fatalf("%d lists, want 2", n)
	}
	l := waitList(t, api, key, decodeList(t, first).ID)
	if l.Unique != 2 || l.Duplicates != 1 || l.Counts.Deliverable != 2 {
		t.Fatalf("%+v", l)
	}
}

// Another tenant's list, results, exports and duplicates are not found.
func TestListsIsolateTenants(t *testing.T) {
	h := newHarness(t)
	a, b := h.signUp("Alpha", "ann@alpha.test"), h.signUp("Beta", "bob@beta.test")
	keyA, keyB := newKey(t, a, "test"), newKey(t, b, "test")
	api := h.browser()
	res := api.upload("/v1/lists", keyA, "", "a.csv", "email\nann@shop.test\nann@shop.test\n", nil)
	expect(t, res, http.StatusCreated)
	id := decodeList(t, res).ID
	for _, path := range []string{"", "/results", "/export", "/duplicates", "/skipped"} {
		expectProblem(t, api.api("GET", "/v1/lists/"+id+path, keyB), http.StatusNotFound, "not_found")
	}
	expectProblem(t, api.api("POST", "/v1/lists/"+id+"/cancel", keyB), http.StatusNotFound, "not_found")
	expectProblem(t, api.api("DELETE", "/v1/lists/"+id, keyB), http.StatusNotFound, "not_found")
	res = api.api("GET", "/v1/lists", keyB)
	expect(t, res, http.StatusOK, `"lists":[]`)
	for _, path := range []string{"", "/progress", "/export.csv", "/export.csv?rows=duplicates", "/export.csv?rows=skipped"} {
		expect(t, b.get("/lists/"+id+path), http.StatusNotFound)
	}
	expect(t, b.post("/lists/"+id+"/delete", nil), http.StatusNotFound)
	expect(t, b.get("/lists"), http.StatusOK)
	if strings.Contains(b.get("/lists").body, id) {
		t.Fatal("Beta's lists page shows Alpha's list")
	}
	expect(t, api.api("GET", "/v1/lists/"+id, keyA), http.StatusOK)
}

func TestListPagesUploadProgressCancelDelete(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	expect(t, owner.get("/lists"), http.StatusOK, `type="file"`, "No lists yet.")
	res := owner.upload("/lists", "", "", "team.csv", "email\nann@shop.test\nbob@shop.test\n", map[string]string{"dedupe": "provider_aware"})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/lists/") {
		t.Fatalf("upload: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.body)
	}
	page := res.Header.Get("Location")
	expect(t, owner.get(page), http.StatusOK, "uploaded: 2 rows", "list-progress")
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(owner.get(page+"/progress").body, "100%") {
		if time.Now().After(deadline) {
			t.Fatal("progress never reached 100%")
		}
		time.Sleep(100 * time.Millisecond)
	}
	prog := owner.get(page + "/progress")
	if strings.Contains(prog.body, "hx-trigger") {
		t.Fatal("a finished list keeps polling")
	}
	expect(t, owner.get(page), http.StatusOK, "ann@shop.test", "deliverable")
	exp := owner.get(page + "/export.csv")
	expect(t, exp, http.StatusOK, "email,mailvet_status", "bob@shop.test,deliverable")
	if !strings.Contains(exp.Header.Get("Content-Disposition"), "team-all-rows.csv") {
		t.Fatalf("disposition %q", exp.Header.Get("Content-Disposition"))
	}

	// A bad file is explained on the page, next to the field.
	expect(t, owner.upload("/lists", "", "", "bad.csv", "email,name\na@shop.test,\"Ann\nb@shop.test,Bob\"x\n", nil), http.StatusUnprocessableEntity, "line")

	expectRedirect(t, owner.post(page+"/cancel", nil), page) // finished: nothing to cancel, says so kindly
	expectRedirect(t, owner.post(page+"/delete", nil), "/lists")
	expect(t, owner.get(page), http.StatusNotFound)
	if n := countRows(t, h, "SELECT count(*) FROM list_rows"); n != 0 {
		t.Fatalf("%d rows left after delete", n)
	}
}
