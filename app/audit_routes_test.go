package app_test

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"mailvet/billing/stripemock"
)

// stateRouteRE finds every state-changing route of routes.go, pages and API.
var stateRouteRE = regexp.MustCompile(`mux\.Handle(?:Func)?\("((?:POST|PUT|PATCH|DELETE) /[^"]*)"`)

// auditWalk is the workspace the route walk acts in.
type auditWalk struct {
	t      *testing.T
	h      *harness
	owner  *browser
	key    string // a live key of the workspace
	tenant string
	// receiver fails every delivery, so each test send ends a dead
	// letter to retry.
	receiver *hookReceiver
	admin    *browser // a platform admin, made before the walk
	keys     string   // see keysKey
	sched    string   // see schedList
}

// id reads one id on the system path.
func (w *auditWalk) id(query string, args ...any) string {
	w.t.Helper()
	var id string
	if err := w.h.sys.QueryRow(w.t.Context(), query, args...).Scan(&id); err != nil {
		w.t.Fatalf("%s: %v", query, err)
	}
	return id
}

// lastEvent is the id of the newest audit event.
func (w *auditWalk) lastEvent() int64 {
	w.t.Helper()
	var n int64
	if err := w.h.sys.QueryRow(w.t.Context(), `SELECT coalesce(max(id), 0) FROM audit_events`).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// anonymous counts the events after id that a request wrote without
// saying which request it was (jobs' own events have none).
func (w *auditWalk) anonymous(after int64) int {
	w.t.Helper()
	var n int
	if err := w.h.sys.QueryRow(w.t.Context(), `SELECT count(*) FROM audit_events WHERE id > $1 AND request_id = '' AND actor_kind <> 'system'`, after).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

// auditedRoute is how the walk exercises one state-changing route, or why
// the route writes no audit event.
type auditedRoute struct {
	do     func(w *auditWalk) response
	exempt string
}

// auditedRoutes maps every state-changing route to a request that
// exercises it, in the order they run (later ones use what earlier ones
// made). A route missing here fails the walk.
func auditedRoutes() []walkRoute {
	type r = walkRoute
	do := func(route string, f func(w *auditWalk) response) r { return r{route, auditedRoute{do: f}} }
	exempt := func(route, why string) r { return r{route, auditedRoute{exempt: why}} }
	return append([]r{
		do("POST /signup", func(w *auditWalk) response {
			return w.h.browser().post("/signup", url.Values{"company": {"Walkco"}, "name": {"Wal"}, "email": {"wal@walk.test"}, "password": {password}})
		}),
		do("POST /login", func(w *auditWalk) response {
			return w.h.browser().post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password}})
		}),
		exempt("POST /logout", "ends the caller's own session, which changes nothing of the workspace; the sign-in is recorded"),
		exempt("POST /verify-email/resend", "sends a mail again; the verification itself is recorded (user.email_verified)"),
		exempt("POST /forgot-password", "mails a reset link (an unknown address must look the same); the reset itself is recorded (user.password_reset)"),
		do("POST /team/invites", func(w *auditWalk) response {
			return w.owner.post("/team/invites", url.Values{"email": {"mia@acme.test"}, "role": {"member"}})
		}),
		do("POST /invites/{token}", func(w *auditWalk) response {
			return w.h.browser().post(w.h.mailedLink("mia@acme.test", "invited"), url.Values{"name": {"Mia"}, "password": {"mia's passphrase"}})
		}),
		do("POST /team/members/{id}/role", func(w *auditWalk) response {
			return w.owner.post("/team/members/"+w.id(`SELECT id::text FROM users WHERE email = 'mia@acme.test'`)+"/role", url.Values{"role": {"admin"}})
		}),
		do("POST /team/members/{id}/remove", func(w *auditWalk) response {
			return w.owner.post("/team/members/"+w.id(`SELECT id::text FROM users WHERE email = 'mia@acme.test'`)+"/remove", nil)
		}),
		do("POST /team/invites/{id}/revoke", func(w *auditWalk) response {
			expectRedirect(w.t, w.owner.post("/team/invites", url.Values{"email": {"leo@acme.test"}, "role": {"member"}}), "/team")
			return w.owner.post("/team/invites/"+w.id(`SELECT id::text FROM invites WHERE email = 'leo@acme.test'`)+"/revoke", nil)
		}),
		do("POST /keys", func(w *auditWalk) response {
			return w.owner.post("/keys", url.Values{"name": {"walk key"}, "mode": {"test"}})
		}),
		do("POST /keys/{id}/limits", func(w *auditWalk) response {
			return w.owner.post("/keys/"+w.id(`SELECT id::text FROM api_keys WHERE name = 'walk key'`)+"/limits", url.Values{"rate_per_minute": {"30"}})
		}),
		do("POST /keys/{id}/revoke", func(w *auditWalk) response {
			return w.owner.post("/keys/"+w.id(`SELECT id::text FROM api_keys WHERE name = 'walk key'`)+"/revoke", nil)
		}),
		do("POST /rules", func(w *auditWalk) response {
			return w.owner.post("/rules", addRule("domain", "page.test", "block", ""))
		}),
		exempt("POST /rules/test", "tests an address against the rules: reads only"),
		do("POST /rules/{id}/delete", func(w *auditWalk) response {
			return w.owner.post("/rules/"+w.id(`SELECT id::text FROM rules WHERE pattern = 'page.test'`)+"/delete", nil)
		}),
		do("POST /webhooks", func(w *auditWalk) response {
			return w.owner.post("/webhooks", url.Values{"url": {w.hook()}, "description": {"page"}, "all_events": {"true"}})
		}),
		do("POST /webhooks/{id}", func(w *auditWalk) response {
			return w.owner.post("/webhooks/"+w.pageHook(), url.Values{"url": {w.hook()}, "description": {"page, renamed"}, "all_events": {"true"}})
		}),
		do("POST /webhooks/{id}/disable", func(w *auditWalk) response { return w.owner.post("/webhooks/"+w.pageHook()+"/disable", nil) }),
		do("POST /webhooks/{id}/enable", func(w *auditWalk) response { return w.owner.post("/webhooks/"+w.pageHook()+"/enable", nil) }),
		do("POST /webhooks/{id}/rotate", func(w *auditWalk) response {
			return w.owner.post("/webhooks/"+w.pageHook()+"/rotate", url.Values{"overlap": {"1h"}})
		}),
		do("POST /webhooks/{id}/test", func(w *auditWalk) response { return w.owner.post("/webhooks/"+w.pageHook()+"/test", nil) }),
		do("POST /webhooks/{id}/deliveries/{delivery}/retry", func(w *auditWalk) response {
			return w.owner.post("/webhooks/"+w.pageHook()+"/deliveries/"+w.deadDelivery(w.pageHook())+"/retry", nil)
		}),
		do("POST /webhooks/{id}/recover", func(w *auditWalk) response {
			return w.owner.post("/webhooks/"+w.pageHook()+"/recover", url.Values{"since": {time.Now().UTC().Add(-time.Hour).Format("2006-01-02T15:04")}})
		}),
		do("POST /webhooks/{id}/delete", func(w *auditWalk) response { return w.owner.post("/webhooks/"+w.pageHook()+"/delete", nil) }),
		do("POST /settings", func(w *auditWalk) response {
			return w.owner.post("/settings", url.Values{"name": {"Acme Walked"}, "technical_email": {"ops@acme.test"}})
		}),
		do("POST /settings/cache", func(w *auditWalk) response {
			return w.owner.post("/settings/cache", url.Values{"cache_ttl_days": {"30"}})
		}),
		do("POST /settings/cache/clear", func(w *auditWalk) response { return w.owner.post("/settings/cache/clear", nil) }),
		exempt("POST /verify", "a verification: counted in usage, not a change to the workspace"),
		// Both lists wait on a greylisting retry (an hour in this harness),
		// so each is still running when the walk cancels it.
		do("POST /lists", func(w *auditWalk) response { return w.owner.uploadWith("/lists", "page.csv", "email\nann@grey.test\n") }),
		do("POST /lists/{id}/cancel", func(w *auditWalk) response {
			return w.owner.post("/lists/"+w.id(`SELECT id::text FROM lists WHERE name = 'page' OR name LIKE 'page%' ORDER BY created_at DESC LIMIT 1`)+"/cancel", nil)
		}),
		do("POST /lists/{id}/delete", func(w *auditWalk) response {
			return w.owner.post("/lists/"+w.id(`SELECT id::text FROM lists WHERE name LIKE 'page%' ORDER BY created_at DESC LIMIT 1`)+"/delete", nil)
		}),
		do("POST /account/name", func(w *auditWalk) response { return w.owner.post("/account/name", url.Values{"name": {"Ann Walker"}}) }),
		do("POST /account/email", func(w *auditWalk) response {
			return w.owner.post("/account/email", url.Values{"new_email": {"ann.new@acme.test"}, "email_password": {password}})
		}),
		do("POST /account/password", func(w *auditWalk) response {
			return w.owner.post("/account/password", url.Values{"current_password": {password}, "new_password": {password + " again"}})
		}),
		do("POST /reset-password", func(w *auditWalk) response {
			expect(w.t, w.h.browser().post("/forgot-password", url.Values{"email": {"wal@walk.test"}}), http.StatusOK)
			link, _ := url.Parse(w.h.mailedLink("wal@walk.test", "eset"))
			return w.h.browser().post("/reset-password", url.Values{"token": {link.Query().Get("token")}, "password": {"a brand new passphrase"}})
		}),
		do("POST /account/sessions/{id}/revoke", func(w *auditWalk) response {
			other := w.h.browser()
			expectRedirect(w.t, other.post("/login", url.Values{"email": {"ann@acme.test"}, "password": {password + " again"}}), "/dashboard")
			return w.owner.post("/account/sessions/"+w.id(`SELECT s.id::text FROM sessions s JOIN users u ON u.id = s.user_id
				WHERE u.email = 'ann@acme.test' ORDER BY s.created_at DESC LIMIT 1`)+"/revoke", nil)
		}),
		exempt("POST /tenants/switch", "chooses which of the caller's workspaces the session shows; changes no data"),
		exempt("POST /billing/checkout", "opens a Stripe Checkout page; nothing changes until Stripe's webhook says the plan did"),
		exempt("POST /billing/portal", "opens Stripe's customer portal; nothing changes until Stripe's webhook says so"),
		do("POST /stripe/webhook", func(w *auditWalk) response {
			events := newStripeEvents(w.t)
			expect(w.t, w.h.signedWebhook(events.checkout(w.tenant, "cus_walk", "sub_walk")), http.StatusOK)
			return w.h.signedWebhook(events.subscription("customer.subscription.updated", "sub_walk", "cus_walk", "active", "basic"))
		}),

		exempt("POST /v1/verify", "a verification: counted in usage, not a change to the workspace"),
		do("DELETE /v1/cache", func(w *auditWalk) response { return w.owner.apiJSON("DELETE", "/v1/cache", w.key, "") }),
		do("POST /v1/lists", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/lists", w.key, `{"name":"api","emails":["ann@grey.test"]}`)
		}),
		do("POST /v1/lists/{id}/cancel", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/lists/"+w.id(`SELECT id::text FROM lists WHERE name = 'api'`)+"/cancel", w.key, "")
		}),
		do("DELETE /v1/lists/{id}", func(w *auditWalk) response {
			return w.owner.apiJSON("DELETE", "/v1/lists/"+w.id(`SELECT id::text FROM lists WHERE name = 'api'`), w.key, "")
		}),
		do("POST /v1/rules", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/rules", w.key, `{"kind":"domain","pattern":"api.test","action":"block"}`)
		}),
		exempt("POST /v1/rules/test", "tests an address against the rules: reads only"),
		do("DELETE /v1/rules/{id}", func(w *auditWalk) response {
			return w.owner.apiJSON("DELETE", "/v1/rules/"+w.id(`SELECT id::text FROM rules WHERE pattern = 'api.test'`), w.key, "")
		}),
		do("POST /v1/webhook_endpoints", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/webhook_endpoints", w.key, `{"url":"`+w.hook()+`","description":"api"}`)
		}),
		do("PATCH /v1/webhook_endpoints/{id}", func(w *auditWalk) response {
			return w.owner.apiJSON("PATCH", "/v1/webhook_endpoints/"+w.apiHook(), w.key, `{"description":"api, renamed"}`)
		}),
		do("POST /v1/webhook_endpoints/{id}/rotate", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/webhook_endpoints/"+w.apiHook()+"/rotate", w.key, `{"overlap":"now"}`)
		}),
		do("POST /v1/webhook_endpoints/{id}/test", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/webhook_endpoints/"+w.apiHook()+"/test", w.key, "")
		}),
		do("POST /v1/webhook_deliveries/{id}/retry", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/webhook_deliveries/"+w.deadDelivery(w.apiHook())+"/retry", w.key, "")
		}),
		do("POST /v1/webhook_endpoints/{id}/recover", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/webhook_endpoints/"+w.apiHook()+"/recover", w.key,
				`{"since":"`+time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)+`"}`)
		}),
		do("POST /v1/events/{id}/redeliver", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/events/"+w.id(`SELECT id FROM events ORDER BY created_at DESC LIMIT 1`)+"/redeliver", w.key, "")
		}),
		do("DELETE /v1/webhook_endpoints/{id}", func(w *auditWalk) response {
			return w.owner.apiJSON("DELETE", "/v1/webhook_endpoints/"+w.apiHook(), w.key, "")
		}),
		exempt("POST /v1/inbound/{endpoint_id}", "a CRM's push of addresses to verify, like POST /v1/verify; kept in the push log"),
		do("POST /keys/{id}/roll", func(w *auditWalk) response {
			expect(w.t, w.owner.post("/keys", url.Values{"name": {"roll key"}, "mode": {"test"}}), http.StatusCreated)
			return w.owner.post("/keys/"+w.id(`SELECT id::text FROM api_keys WHERE name = 'roll key'`)+"/roll", url.Values{"grace": {"1h"}})
		}),
		exempt("POST /keys/{id}/reveal", "reveals a successor that automatic rotation made; audited as api_key.revealed, walked by TestKeyLifecycleOnThePage"),
		do("POST /keys/policy", func(w *auditWalk) response {
			return w.owner.post("/keys/policy", url.Values{"max_lifetime_days": {"365"}, "max_grace_hours": {"168"}})
		}),
		do("POST /v1/api_keys", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/api_keys", w.keysKey(), `{"name":"api made","mode":"test","scopes":["verify"],"expires_in_days":30}`)
		}),
		do("POST /v1/api_keys/{id}/roll", func(w *auditWalk) response {
			return w.owner.apiJSON("POST", "/v1/api_keys/"+w.id(`SELECT id::text FROM api_keys WHERE name = 'api made' AND rolled_at IS NULL AND rolled_from IS NULL`)+"/roll",
				w.keysKey(), `{"grace":"1h"}`)
		}),
		do("DELETE /v1/api_keys/{id}", func(w *auditWalk) response {
			return w.owner.apiJSON("DELETE", "/v1/api_keys/"+w.id(`SELECT id::text FROM api_keys WHERE name = 'api made' AND rolled_from IS NOT NULL`), w.keysKey(), "")
		}),
		do("POST /admin/tenants/{id}/override", func(w *auditWalk) response {
			return w.admin.post("/admin/tenants/"+w.tenant+"/override", url.Values{"daily_limit": {"900"}, "note": {"walk"}})
		}),
		do("POST /admin/tenants/{id}/override/clear", func(w *auditWalk) response {
			return w.admin.post("/admin/tenants/"+w.tenant+"/override/clear", nil)
		}),
		do("POST /admin/tenants/{id}/operator-settings", func(w *auditWalk) response {
			return w.admin.post("/admin/tenants/"+w.tenant+"/operator-settings", url.Values{"max_conns_per_mx": {"3"}, "webhook_allow_cidrs": {"10.20.0.0/16"}})
		}),
		do("POST /admin/plans/{id}", func(w *auditWalk) response {
			return w.admin.post("/admin/plans/premium", url.Values{"name": {"Premium"}, "price_cents": {"19900"}, "overage_cents_per_1000": {"200"},
				"daily_limit": {"100000"}, "monthly_included": {"500000"}, "monthly_limit": {"2500000"}, "rate_per_minute": {"1200"}, "max_list_rows": {"1000000"}})
		}),
		do("POST /admin/alerts", func(w *auditWalk) response {
			return w.admin.post("/admin/alerts", url.Values{"name": {"Walk"}, "metric": {"queue_lag"}, "threshold": {"30"}, "for": {"1m"}, "enabled": {"1"}})
		}),
		do("POST /admin/alerts/{id}", func(w *auditWalk) response {
			return w.admin.post("/admin/alerts/"+w.id(`SELECT id::text FROM alert_rules WHERE name = 'Walk'`),
				url.Values{"name": {"Walk"}, "metric": {"queue_lag"}, "threshold": {"45"}, "for": {"1m"}})
		}),
		do("POST /admin/alerts/{id}/delete", func(w *auditWalk) response {
			return w.admin.post("/admin/alerts/"+w.id(`SELECT id::text FROM alert_rules WHERE name = 'Walk'`)+"/delete", nil)
		}),
		do("POST /admin/dead-letters/{tenant}/{id}/retry", func(w *auditWalk) response {
			expect(w.t, w.owner.apiJSON("POST", "/v1/webhook_endpoints", w.key, `{"url":"`+w.hook()+`","description":"admin"}`), http.StatusCreated)
			hook := w.id(`SELECT id::text FROM webhook_endpoints WHERE description = 'admin'`)
			return w.admin.post("/admin/dead-letters/"+w.tenant+"/"+w.deadDelivery(hook)+"/retry", nil)
		}),
		do("POST /admin/users/{id}/lock", func(w *auditWalk) response {
			return w.admin.post("/admin/users/"+w.id(`SELECT id::text FROM users WHERE email = 'mia@acme.test'`)+"/lock", url.Values{"reason": {"walk"}})
		}),
		do("POST /admin/users/{id}/unlock", func(w *auditWalk) response {
			return w.admin.post("/admin/users/"+w.id(`SELECT id::text FROM users WHERE email = 'mia@acme.test'`)+"/unlock", nil)
		}),
		do("POST /admin/users/{id}/reset", func(w *auditWalk) response {
			return w.admin.post("/admin/users/"+w.id(`SELECT id::text FROM users WHERE email = 'mia@acme.test'`)+"/reset", nil)
		}),
		do("POST /admin/users/{id}/platform-admin", func(w *auditWalk) response {
			return w.admin.post("/admin/users/"+w.id(`SELECT id::text FROM users WHERE email = 'mia@acme.test'`)+"/platform-admin?on=true", nil)
		}),
		do("POST /admin/tenants/{id}/suspend", func(w *auditWalk) response {
			return w.admin.post("/admin/tenants/"+w.tenant+"/suspend", url.Values{"reason": {"walk"}})
		}),
		do("POST /admin/tenants/{id}/resume", func(w *auditWalk) response {
			return w.admin.post("/admin/tenants/"+w.tenant+"/resume", nil)
		}),
	}, append(scheduleRoutes(do),
		// Last: it ends the owner's session the walk signs in with.
		do("POST /account/sessions/revoke-all", func(w *auditWalk) response { return w.owner.post("/account/sessions/revoke-all", nil) }))...)
}

// walkRoute is one row of auditedRoutes.
type walkRoute struct {
	route string
	auditedRoute
}

// keysKey is a test key with the keys scope, made on first use.
func (w *auditWalk) keysKey() string {
	if w.keys == "" {
		res := w.owner.post("/keys", url.Values{"name": {"keys key"}, "mode": {"test"}, "expires": {"30"}, "scopes_shown": {"1"}, "scopes": {"verify", "keys"}})
		expect(w.t, res, http.StatusCreated)
		w.keys = secretRE.FindString(res.body)
	}
	return w.keys
}

func (w *auditWalk) hook() string { return w.receiver.URL + "/crm" }

func (w *auditWalk) pageHook() string {
	return w.id(`SELECT id::text FROM webhook_endpoints WHERE description LIKE 'page%'`)
}

func (w *auditWalk) apiHook() string {
	return w.id(`SELECT id::text FROM webhook_endpoints WHERE description LIKE 'api%'`)
}

// deadDelivery sends a test event to the endpoint and waits for it to die.
func (w *auditWalk) deadDelivery(endpoint string) string {
	w.t.Helper()
	before := w.h.deliveryCount(endpoint, "dead")
	expect(w.t, w.owner.apiJSON("POST", "/v1/webhook_endpoints/"+endpoint+"/test", w.key, ""), http.StatusAccepted)
	eventually(w.t, "a dead letter", func() bool { return w.h.deliveryCount(endpoint, "dead") > before })
	return w.id(`SELECT id::text FROM webhook_deliveries WHERE endpoint_id = $1 AND state = 'dead' ORDER BY created_at DESC LIMIT 1`, endpoint)
}

// Every state-changing route, page or API, writes an audit event: the walk
// drives each one to success and wants the log to have grown. A route the
// table does not name fails; so does one whose request writes nothing.
func TestEveryStateChangingRouteIsAudited(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	table := auditedRoutes()
	known := map[string]bool{}
	for _, c := range table {
		known[c.route] = true
	}
	served := map[string]bool{}
	for _, m := range stateRouteRE.FindAllStringSubmatch(string(src), -1) {
		served[m[1]] = true
		if !known[m[1]] {
			t.Errorf("%s changes state: add it to auditedRoutes with a request that exercises it, or with why it writes no audit event", m[1])
		}
	}
	if len(served) < 50 {
		t.Fatalf("found only %d state-changing routes in routes.go; has its style changed?", len(served))
	}
	for _, c := range table {
		if !served[c.route] {
			t.Errorf("auditedRoutes names %s, which routes.go does not serve", c.route)
		}
	}
	if t.Failed() {
		return
	}

	h := newHarness(t, harnessOptions{listRetryDelay: time.Hour, stripeAPIBase: stripemock.Start(t)})
	w := &auditWalk{t: t, h: h, owner: h.signUp("Acme", "ann@acme.test"), receiver: newHookReceiver(t, http.StatusInternalServerError)}
	w.key = newKey(t, w.owner, "live")
	w.admin = h.platformAdmin("ops@walk.test") // before the walk: signing up verifies by a link, which writes its own event
	w.tenant = tenantOf(t, h, "ann@acme.test").String()
	for _, c := range table {
		if c.exempt != "" {
			continue
		}
		before := w.lastEvent()
		res := c.do(w)
		if res.StatusCode >= 400 {
			t.Fatalf("%s: status %d, want a success\n%s", c.route, res.StatusCode, abbreviate(res.body))
		}
		if w.lastEvent() <= before {
			t.Errorf("%s wrote no audit event (status %d)", c.route, res.StatusCode)
		}
		if n := w.anonymous(before); n > 0 {
			t.Errorf("%s wrote %d audit events without the request's id", c.route, n)
		}
	}
	if !strings.Contains(w.owner.get("/audit?action=list.created").body, "list.created") {
		t.Error("the walk's lists are not in the workspace's audit log")
	}
}
