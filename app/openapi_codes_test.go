package app_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// codeInSource finds the problem codes app's code can answer with: the
// error table's rows (code: "…"), the direct writeProblem calls, and the
// codes of inbound's refusals (Code… = "…"), which the table passes on.
var codeInSource = regexp.MustCompile(`code:\s+"([a-z_]+)"|writeProblem\(w, r, [^,]+, "([a-z_]+)"|Code[A-Za-z]+\s+= "([a-z_]+)"`)

// pageOnlyCodes are the codes of the error table that only pages and
// forms show, with why no /v1 request can meet them.
var pageOnlyCodes = map[string]string{
	"invalid_credentials":  "the login form",
	"account_locked":       "a locked person signing in; keys are not people",
	"email_not_verified":   "a person creating keys or inviting before verifying their address",
	"invalid_link":         "the links of emails (verification, reset, invitation)",
	"wrong_account":        "an invitation opened by another account",
	"email_taken":          "sign-up and the account page",
	"already_member":       "the team page's invitations",
	"last_owner":           "the team page's roles",
	"last_platform_admin":  "the admin console",
	"plan_not_for_sale":    "the billing page's checkout",
	"billing_disabled":     "the billing page, on a server without Stripe",
	"key_already_revealed": "the keys page's one-time reveal",
}

// Every code app can answer an API request with is one of Problem's codes
// (and so has its example in /docs, TestOpenAPIProblemExamples), and each
// of Problem's codes is still answered somewhere.
func TestOpenAPINamesEveryErrorCode(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("..", "inbound", "errors.go"))
	inSource := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeInSource.FindAllStringSubmatch(string(src), -1) {
			inSource[m[1]+m[2]+m[3]] = true
		}
	}
	var documented []string
	for _, c := range servedOpenAPI(t).Components.Schemas["Problem"].Value.Properties["code"].Value.Enum {
		documented = append(documented, c.(string))
	}
	for code := range inSource {
		if _, page := pageOnlyCodes[code]; !page && !slices.Contains(documented, code) {
			t.Errorf("app can answer %s, which Problem's codes in openapi.yaml do not name (nor pageOnlyCodes)", code)
		}
	}
	for _, code := range documented {
		if !inSource[code] {
			t.Errorf("openapi.yaml names %s, which no code of app answers", code)
		}
	}
	for code := range pageOnlyCodes {
		if !inSource[code] {
			t.Errorf("pageOnlyCodes names %s, which no code of app answers", code)
		}
	}
	if len(inSource) < 40 {
		t.Errorf("found only %d codes in app's code; has the error table's style changed?", len(inSource))
	}
}
