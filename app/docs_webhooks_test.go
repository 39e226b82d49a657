package app_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
)

// The CRM webhooks guide is public and says what a receiver must know:
// the three headers, verification in Go, Python and Node with the
// Standard Webhooks libraries, and the whole retry schedule. The front page
// links to it.
func TestDocsWebhooks(t *testing.T) {
	h := newHarness(t)
	res := h.browser().get("/docs/webhooks")
	expect(t, res, http.StatusOK,
		"<h1 id=\"docs-title\">CRM webhooks</h1>",
		"webhook-id", "webhook-timestamp", "webhook-signature",
		"Copy Go code", "Copy Python code", "Copy Node code", `data-copy-target="docs-go"`,
		"github.com/standard-webhooks/standard-webhooks/libraries/go", "standardwebhooks.NewWebhook(",
		"pip install standardwebhooks", "from standardwebhooks.webhooks import Webhook",
		"npm install standardwebhooks", "import { Webhook } from &#34;standardwebhooks&#34;",
		"list.completed", "list.failed", "list.cancelled", "verification.completed", "quota.threshold", "webhook_endpoint.disabled",
		"/v1/events?type=", "/redeliver", "/recover", "/v1/inbound/", "examples/crm-receiver",
		// The example body and the overlaps come from the webhooks package.
		"&#34;type&#34;: &#34;list.completed&#34;", "&#34;export_url&#34;", "now, 1h, 24h, 7d",
	)
	for _, wait := range []string{"at once", "5 seconds", "5 minutes", "30 minutes", "2 hours", "5 hours", "10 hours", "27 h 35 min"} {
		expect(t, res, http.StatusOK, "<td>"+wait+"</td>")
	}
	if m := inlineCode.FindString(res.body); m != "" {
		t.Errorf("inline code a strict CSP blocks: %q", m)
	}
	if m := inlineScript(res.body); m != "" {
		t.Errorf("inline script: %q", m)
	}
	expect(t, h.browser().get("/"), http.StatusOK, `href="/docs/webhooks"`)
	// A signed-in reader sees the same guide, inside their workspace's shell.
	owner := h.signUp("Acme", "ann@acme.test")
	expect(t, owner.get("/docs/webhooks"), http.StatusOK, "Retries", `action="/logout"`)
}

// The guide is no wider than a desktop or a phone screen: the code samples
// and tables scroll inside themselves.
func TestBrowserDocsWebhooksFit(t *testing.T) {
	h := newHarness(t)
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		steps.run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.srv.URL+"/docs/webhooks"), chromedp.WaitVisible(`#docs-go`))
		if got := steps.read(chromedp.Evaluate[string](`String(document.documentElement.clientWidth)`)); got != fmt.Sprint(size[0]) {
			t.Fatalf("viewport is %spx wide, want %d", got, size[0])
		}
		if wide := steps.read(chromedp.Evaluate[string](fitScript)); wide != "" {
			t.Errorf("/docs/webhooks at %dx%d is wider than it should be: %s", size[0], size[1], wide)
		}
	}
}
