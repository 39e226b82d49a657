package billing_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/secretbox"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

// Crossing 80 % and then 100 % of the month's included verifications
// records one quota.threshold event each, in the counting transaction;
// more use in the same month records none.
func TestQuotaThresholdsAreWebhookEvents(t *testing.T) {
	d := dbtest.New(t)
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := secretbox.ParseKeyring("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	hooks := webhooks.NewService(d, inserter, ring, transport.NewClient(transport.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}),
		nil, func(p string) string { return p }, webhooks.Options{})
	svc := billing.NewService(d, nil, 0, func(p string) string { return p }).WithEvents(hooks)
	tenant := newTenant(t, d)                      // free: 1,000 included a month
	for _, n := range []int{790, 20, 100, 85, 5} { // lists (the month only): past 80 % at 810, 100 % at 1,000
		if err := d.Tx(context.Background(), db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
			_, err := svc.ConsumeList(ctx, tx, tenant, uuid.Nil, billing.KeyLimits{}, n)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := hooks.Events(context.Background(), tenant, webhooks.EventFilter{Type: webhooks.QuotaThreshold}, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 2 {
		t.Fatalf("%d quota.threshold events, want 2 (80 %% and 100 %%)", len(page.Events))
	}
	for i, want := range []string{`"percent":100`, `"percent":80`} { // newest first
		if got := string(page.Events[i].Data); !contains(got, want, `"month_included":1000`) {
			t.Fatalf("event %d data %s, want %s", i, got, want)
		}
	}
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
