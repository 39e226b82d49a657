package billing_test

import (
	"context"
	"testing"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/billing"
)

// A plan or status that Stripe's webhook changes is in the tenant's audit
// log with its before and after; a replay or a same-plan update adds none.
func TestWebhookPlanChangesAreAudited(t *testing.T) {
	f := newFixture(t, "")
	tenant := f.tenant()
	f.deliver(f.event("checkout.session.completed", checkoutCompleted(tenant, "cus_A", "sub_A")))
	basic := f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "basic", nil))
	f.deliver(basic)
	f.deliver(basic)
	f.deliver(f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "basic", nil)))
	f.deliver(f.event("customer.subscription.updated", subscription("sub_A", "cus_A", "active", "premium", nil)))

	page, err := audit.NewStore(f.d).Events(context.Background(), tenant, audit.Filter{Action: billing.AuditSubscriptionChanged}, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 2 {
		t.Fatalf("%d subscription events, want 2 (free→basic, basic→premium): %+v", len(page.Events), page.Events)
	}
	up, first := page.Events[0], page.Events[1]
	if first.Changes["plan"].Before != "free" || first.Changes["plan"].After != "basic" || first.ActorKind != actor.KindSystem {
		t.Fatalf("first change %+v", first)
	}
	if up.Changes["plan"].Before != "basic" || up.Changes["plan"].After != "premium" {
		t.Fatalf("upgrade %+v", up)
	}
	if _, ok := up.Changes["status"]; ok {
		t.Fatalf("the upgrade records an unchanged status: %+v", up.Changes)
	}
}
