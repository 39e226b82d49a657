package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The upload form shows how much of a big file has been sent, keeps its
// button disabled while it is sent, and lands on the new list's page; a
// refused file shows its error next to the field, on the lists page.
func TestBrowserUploadShowsProgressAndRefusals(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme Uploads", "ann@acme.test")
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	run, read := steps.run, steps.read
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "mv_session", Value: sessionCookie(t, h, owner), URL: h.srv.URL + "/"}); err != nil {
		t.Fatalf("set cookie: %v", err)
	}

	// A refused file: the field says why, on the lists page, with one form
	// (not a page nested in the old one), and the button works again.
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("email,name\na@shop.test,\"Ann\nb@shop.test,Bob\"x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(
		chromedp.Navigate(h.srv.URL+"/lists"),
		chromedp.WaitVisible(`#upload-form input[name="file"]`),
		chromedp.Evaluate[chromedp.Void](`window.__here = 1`),
		chromedp.SetUploadFiles(`#upload-form input[name="file"]`, []string{bad}),
		chromedp.Click(`#upload-form button[type="submit"]`),
		chromedp.WaitVisible(`#upload-form .has-error`),
	)
	refused := read(chromedp.Evaluate[string](`(() => {
		const f = document.querySelectorAll("#upload-form");
		const err = document.querySelector("#upload-form .has-error").textContent.replace(/\s+/g, " ").trim();
		return [window.__here, location.pathname, f.length, document.querySelectorAll("#main #main").length,
			document.querySelector("#upload-form button[type=submit]").disabled, err].join("|");
	})()`))
	if !regexp.MustCompile(`^1\|/lists\|1\|0\|false\|.*line`).MatchString(refused) {
		t.Fatalf("after a refused upload (stayed | path | forms | nested mains | button disabled | field error): %s", refused)
	}

	// A file big enough to watch, sent at 64 KB/s: about 4 seconds. The
	// same address over and over, so the free plan's quota does not mind,
	// in wide rows, so that they stay within its 1,000 rows a list.
	var file strings.Builder
	file.WriteString("email,notes\n")
	for i := 0; file.Len() < 256<<10; i++ {
		fmt.Fprintf(&file, "ann@shop.test,%s\n", strings.Repeat("n", 1000))
	}
	big := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(big, []byte(file.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: 64 << 10}}}); err != nil {
		t.Fatal(err)
	}
	// What the page showed at each progress event, kept in sessionStorage
	// so that it outlives the navigation to the list's page.
	run(
		chromedp.Navigate(h.srv.URL+"/lists"),
		chromedp.WaitVisible(`#upload-form input[name="file"]`),
		chromedp.Evaluate[chromedp.Void](`sessionStorage.setItem("seen", "[]");
			document.addEventListener("htmx:xhr:progress", () => {
				const box = document.getElementById("upload-progress");
				const seen = JSON.parse(sessionStorage.getItem("seen"));
				seen.push({shown: getComputedStyle(box).display !== "none",
					disabled: document.querySelector("#upload-form button[type=submit]").disabled,
					value: box.querySelector("progress").value,
					text: box.querySelector("[role=status]").textContent});
				sessionStorage.setItem("seen", JSON.stringify(seen));
			});`),
		chromedp.SetUploadFiles(`#upload-form input[name="file"]`, []string{big}),
		chromedp.Click(`#upload-form button[type="submit"]`),
	)
	// Poll by hand: the page navigates (HX-Redirect), which fails
	// chromedp's Poll.
	listPage := regexp.MustCompile(`^/lists/[0-9a-f-]{36}$`)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" && document.getElementById("list-progress") ? location.pathname : ""`))
		if err == nil && listPage.MatchString(path) {
			break
		}
		if time.Now().After(deadline) {
			steps.fail(fmt.Errorf("the upload did not land on the list's page (%q, %v)", path, err))
		}
	}
	type seen struct {
		Shown, Disabled bool
		Value           float64
		Text            string
	}
	states := read(chromedp.Evaluate[string](`sessionStorage.getItem("seen")`))
	var during, sent bool
	uploading := regexp.MustCompile(`^Uploading… (\d+) %$`)
	for _, s := range decodeSeen[seen](t, states) {
		if !s.Shown || !s.Disabled {
			t.Fatalf("while uploading the progress was hidden or the button enabled: %s", states)
		}
		if m := uploading.FindStringSubmatch(s.Text); m != nil && s.Value > 0 && s.Value < 100 && m[1] == fmt.Sprint(s.Value) {
			during = true
		}
		sent = sent || (s.Text == "Uploaded; reading the file…" && s.Value == 100)
	}
	if !during || !sent {
		t.Fatalf("the upload never showed a partial percentage (%v) or its end (%v): %s", during, sent, states)
	}
	if flash := read(chromedp.Text(`.flash`)); !strings.Contains(flash, "uploaded") {
		t.Fatalf("list page flash %q", flash)
	}
}

func decodeSeen[T any](t *testing.T, s string) []T {
	t.Helper()
	var out []T
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return out
}
