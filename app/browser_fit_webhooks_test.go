package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var webhookPathRE = regexp.MustCompile(`/webhooks/[0-9a-f-]{36}`)

// fitWebhooks gives the workspace two endpoints with long URLs: one with a
// delivery log of successes and failures (response bodies included) and a
// dead letter, one disabled by a 410 Gone. It returns their pages.
func fitWebhooks(t *testing.T, h *harness, owner *browser) (string, string) {
	t.Helper()
	flaky := newHookReceiver(t, http.StatusInternalServerError)
	gone := newHookReceiver(t, http.StatusGone)
	add := func(u string) string {
		t.Helper()
		res := owner.post("/webhooks", url.Values{"url": {u}, "description": {"The sales team's CRM, which sometimes has a bad day"}, "all_events": {"1"}})
		expect(t, res, http.StatusCreated)
		paths := webhookPathRE.FindAllString(owner.get("/webhooks").body, -1)
		return paths[len(paths)-1]
	}
	hookPage := add(flaky.URL + "/hooks/mailvet/" + strings.Repeat("very-long-path-segment/", 6) + "receiver?tenant=acme-fitting-rooms")
	expectRedirect(t, owner.post(hookPage+"/test", nil), hookPage)
	id := strings.TrimPrefix(hookPage, "/webhooks/")
	eventually(t, "a dead letter", func() bool { return h.deliveryCount(id, "dead") == 1 })
	flaky.answer(http.StatusOK)
	expectRedirect(t, owner.post(hookPage+"/test", nil), hookPage)
	eventually(t, "a delivery", func() bool { return h.deliveryCount(id, "delivered") == 1 })

	disabledPage := add(gone.URL + "/old-crm/" + strings.Repeat("x", 120))
	expectRedirect(t, owner.post(disabledPage+"/test", nil), disabledPage)
	eventually(t, "the endpoint disabled", func() bool {
		return strings.Contains(owner.get(disabledPage).body, `id="endpoint-disabled"`)
	})
	return hookPage, disabledPage
}
