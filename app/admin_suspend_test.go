package app_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
)

// jobRanSince reports whether River ran the job whose args hold key=value
// after since (a snoozed job runs, and is put back, each time).
func (h *harness) jobRanSince(key, value string, since time.Time) bool {
	h.t.Helper()
	var ran bool
	if err := h.sys.QueryRow(h.t.Context(), `SELECT coalesce(bool_or(attempted_at > $3), false) FROM river_job WHERE args->>$1 = $2`,
		key, value, since).Scan(&ran); err != nil {
		h.t.Fatal(err)
	}
	return ran
}

// A platform admin suspends a workspace: at once its members get the
// suspended page, its keys 403 account_suspended, its list pauses and its
// webhook deliveries wait; its owner is mailed and both audit logs have
// it. Resuming restores all of it, and what waited goes on.
func TestAdminSuspendStopsEverythingAndResumeRestoresIt(t *testing.T) {
	// The greylisted row's retry is far off, so that the list is still
	// running when the workspace is suspended; the test then makes it due.
	h := newHarness(t, harnessOptions{listRetryDelay: time.Minute})
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "live")
	api := h.browser()
	rcv := newHookReceiver(t, http.StatusOK)
	ep := createEndpoint(t, api, key, rcv.URL+"/crm", "webhook_endpoint.test")
	var tenantID uuid.UUID
	if err := h.sys.QueryRow(t.Context(), `SELECT id FROM tenants WHERE name = 'Acme'`).Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	// A list that waits on a greylisting retry: still running when the
	// workspace is suspended.
	res := api.apiJSON("POST", "/v1/lists", key, `{"name":"Grey","emails":["ann@grey.test","ann@shop.test"]}`)
	expect(t, res, http.StatusCreated)
	list := decodeList(t, res).ID
	eventually(t, "the greylisted row deferred", func() bool {
		var retryAt time.Time
		return h.sys.QueryRow(t.Context(), `SELECT retry_at FROM list_rows WHERE list_id = $1 AND retry_at IS NOT NULL`, list).Scan(&retryAt) == nil
	})

	admin := h.platformAdmin("ops@mailvet.test")
	tenantPage := "/admin/tenants/" + tenantID.String()
	expect(t, admin.post(tenantPage+"/suspend", url.Values{"reason": {""}}), http.StatusUnprocessableEntity, "Reason")
	expectRedirect(t, admin.post(tenantPage+"/suspend", url.Values{"reason": {"Unpaid invoices since October"}}), tenantPage)
	suspendedAt := time.Now()
	h.mail.WaitFor(t, "ann@acme.test", "suspended", 15*time.Second)

	expect(t, owner.get("/dashboard"), http.StatusForbidden, "suspended")
	expectProblem(t, api.api("GET", "/v1/me", key), http.StatusForbidden, "account_suspended")
	// The row is due now and its batch comes round, but does nothing.
	dueAt := time.Now()
	if _, err := h.sys.Exec(t.Context(), `UPDATE list_rows SET retry_at = now() WHERE list_id = $1 AND retry_at IS NOT NULL`, list); err != nil {
		t.Fatal(err)
	}
	if _, err := h.sys.Exec(t.Context(), `UPDATE river_job SET state = 'available', scheduled_at = now()
		WHERE args->>'list_id' = $1 AND state IN ('scheduled', 'available')`, list); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the list's batch running while suspended", func() bool { return h.jobRanSince("list_id", list, dueAt) })
	var status string
	if err := h.sys.QueryRow(t.Context(), `SELECT status FROM lists WHERE id = $1`, list).Scan(&status); err != nil || status == "completed" {
		t.Fatalf("list %s (%v) while suspended", status, err)
	}
	// A delivery recorded while suspended waits.
	epID := uuid.MustParse(ep.ID)
	ev, err := h.hooks.SendTest(t.Context(), tenantID, epID, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	var delivery string
	if err := h.sys.QueryRow(t.Context(), `SELECT id FROM webhook_deliveries WHERE event_id = $1`, ev.ID).Scan(&delivery); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the delivery's job running while suspended", func() bool { return h.jobRanSince("delivery_id", delivery, suspendedAt) })
	if n := len(rcv.requests()); n != 0 {
		t.Fatalf("the receiver got %d deliveries from a suspended workspace", n)
	}
	// On both logs: the platform's with the admin, the tenant's as support.
	var bySupport bool
	var actorEmail string
	if err := h.sys.QueryRow(t.Context(), `SELECT by_support, actor_email FROM audit_events WHERE tenant_id = $1 AND action = 'tenant.suspended'`,
		tenantID).Scan(&bySupport, &actorEmail); err != nil || !bySupport || actorEmail != "ops@mailvet.test" {
		t.Fatalf("audit: by_support %v, actor %q (%v)", bySupport, actorEmail, err)
	}
	expect(t, admin.get(tenantPage), http.StatusOK, "Unpaid invoices since October", "tenant.suspended", "mailvet support", "Resume workspace")

	expectRedirect(t, admin.post(tenantPage+"/resume", nil), tenantPage)
	expect(t, owner.get("/dashboard"), http.StatusOK)
	expect(t, api.api("GET", "/v1/me", key), http.StatusOK)
	waitList(t, api, key, list)
	eventually(t, "the waiting delivery", func() bool { return len(rcv.requests()) == 1 })
	verifyHook(t, ep.Secret, rcv.requests()[0])
	h.mail.WaitFor(t, "ann@acme.test", "active again", 15*time.Second)
}
