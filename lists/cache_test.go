package lists_test

import (
	"context"
	"testing"

	"mailvet/lists"
	"mailvet/rules"
	"mailvet/verifications"
	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// Only live engine verdicts of list rows reach the tenant's result cache.
// A test key's list holding zed@… must not make a later live verification
// of zed@… answer test_mode from the cache, and a block rule's verdict must
// not go on answering once the rule is deleted. The live engine verdict of
// an ordinary row is cached as before.
func TestListsCacheOnlyLiveEngineVerdicts(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "shop.test", Mailboxes: []string{"zed", "ann"}},
		{Name: "blocked.test", Mailboxes: []string{"bob"}},
	}})
	e := setup(t, world, lists.Options{})
	a := e.workspace(t, "alpha")
	test := e.key(t, a, true)
	ctx := context.Background()
	e.start(1)

	testList, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: test, Name: "test mode", Emails: []string{"zed@shop.test"}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, a.ID, testList.ID, test, done)
	rule, err := e.rules.Create(ctx, a.ID, rules.NewRule{Kind: rules.KindDomain, Pattern: "blocked.test", Action: rules.Block}, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	liveList, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "live", Emails: []string{"bob@blocked.test", "ann@shop.test"}})
	if err != nil {
		t.Fatal(err)
	}
	l := e.wait(t, a.ID, liveList.ID, a.Owner, done)
	if l.Undeliverable != 1 || l.Deliverable != 1 {
		t.Fatalf("live list verdicts %+v, want bob blocked and ann deliverable", l.Counts())
	}
	for addr, want := range map[string]int{"zed@shop.test": 0, "bob@blocked.test": 0, "ann@shop.test": 1} {
		if n := e.count(t, `SELECT count(*) FROM verification_cache WHERE tenant_id = ? AND normalized = ?`, a.ID, addr); n != want {
			t.Errorf("%s: %d cache entries, want %d", addr, n, want)
		}
	}

	if _, err := e.rules.Delete(ctx, a.ID, rule.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	policy, err := e.tenants.BatchPolicy(ctx, a.ID)
	ttl := policy.CacheTTL
	if err != nil || ttl <= 0 {
		t.Fatalf("cache ttl %s %v", ttl, err)
	}
	for addr, cached := range map[string]bool{"zed@shop.test": false, "bob@blocked.test": false, "ann@shop.test": true} {
		r, _, err := e.verifs.Verify(ctx, verifications.Request{TenantID: a.ID, Email: addr, CacheTTL: ttl})
		if err != nil {
			t.Fatal(err)
		}
		if r.Cached != cached || r.Status != verify.Deliverable || r.Reason == verify.ReasonTestMode || r.Reason == verify.ReasonBlockedByRule {
			t.Errorf("live verification of %s: %s/%s cached=%v, want deliverable with cached=%v", addr, r.Status, r.Reason, r.Cached, cached)
		}
	}
}
