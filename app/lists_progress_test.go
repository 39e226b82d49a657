package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// While greylisted addresses wait for their retry (an hour here, so they
// certainly still wait), the progress partial and the API say how many and
// when they are asked again, the bar stays below 100 and nobody promises
// "1 s left".
func TestListProgressShowsDeferredRows(t *testing.T) {
	h := newHarness(t, harnessOptions{listRetryDelay: time.Hour})
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	api := h.browser()
	res := api.apiJSON("POST", "/v1/lists", key, `{"name":"Grey","emails":["ann@shop.test","ann@grey.test","bob@grey.test"]}`)
	expect(t, res, http.StatusCreated)
	id := decodeList(t, res).ID

	var l struct {
		Status       string     `json:"status"`
		Progress     float64    `json:"progress"`
		Processed    int        `json:"processed_rows"`
		DeferredRows int        `json:"deferred_rows"`
		NextRetryAt  *time.Time `json:"next_retry_at"`
		ETASeconds   *int       `json:"eta_seconds"`
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		res = api.api("GET", "/v1/lists/"+id, key)
		expect(t, res, http.StatusOK)
		if err := json.Unmarshal([]byte(res.body), &l); err != nil {
			t.Fatal(err)
		}
		if l.Processed == 1 && l.DeferredRows == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the greylisted addresses never showed as deferred: %s", res.body)
		}
	}
	if l.Status != "running" || l.Progress >= 100 || l.ETASeconds != nil || l.NextRetryAt == nil ||
		time.Until(*l.NextRetryAt) < 58*time.Minute || time.Until(*l.NextRetryAt) > time.Hour {
		t.Fatalf("a list waiting for its retries: %s", res.body)
	}

	page := owner.get("/lists/" + id + "/progress")
	at := l.NextRetryAt.UTC().Format("15:04 UTC")
	if l.NextRetryAt.UTC().YearDay() != time.Now().UTC().YearDay() {
		at = l.NextRetryAt.UTC().Format("2 Jan 2006 15:04 UTC")
	}
	expect(t, page, http.StatusOK, "2 addresses were deferred by their mail servers; asked again at "+at+".",
		"The list completes once they are answered.", `hx-trigger="every 1s"`)
	now := regexp.MustCompile(`aria-valuenow="(\d+)"`).FindStringSubmatch(page.body)
	if now == nil || now[1] == "100" {
		t.Fatalf("the bar of a list with rows still pending: %v", now)
	}
	if text := progressText(page.body); strings.Contains(text, "left") || strings.Contains(text, "100%") {
		t.Fatalf("progress text %q while only deferred rows are left", text)
	}
	// The lists index shows the same capped figure.
	expect(t, owner.get("/lists"), http.StatusOK, ">33%<")
}

// progressText is the text of the partial's #progress-text paragraph.
func progressText(html string) string {
	m := regexp.MustCompile(`(?s)id="progress-text"[^>]*>(.*?)</p>`).FindStringSubmatch(html)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(m[1]), " ")
}

// The upload form posts with htmx: a created list answers HX-Redirect to
// its page, a refused file the lists page with the field's error (which
// the form swaps in).
func TestListUploadAnswersHTMX(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	hx := func(content string) response {
		t.Helper()
		return owner.uploadWith("/lists", "team.csv", content, "HX-Request", "true")
	}
	res := hx("email\nann@shop.test\n")
	if res.StatusCode != http.StatusNoContent || !regexp.MustCompile(`^/lists/[0-9a-f-]{36}$`).MatchString(res.Header.Get("HX-Redirect")) {
		t.Fatalf("htmx upload: %d HX-Redirect %q", res.StatusCode, res.Header.Get("HX-Redirect"))
	}
	res = hx("email,name\na@shop.test,\"Ann\nb@shop.test,Bob\"x\n")
	expect(t, res, http.StatusUnprocessableEntity, `id="upload-form"`, "has-error", "line")
}

// uploadWith posts a file as the page's form does, with extra headers
// (pairs of name, value).
func (b *browser) uploadWith(path, filename, content string, headers ...string) response {
	b.h.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	_, _ = io.WriteString(fw, content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", b.h.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return b.do(req)
}
