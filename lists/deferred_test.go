package lists_test

import (
	"context"
	"testing"
	"time"

	"mailvet/db"
	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// Rows a mail server greylisted are counted as deferred, with the time of
// their retry, on Get and ListAll; the list meanwhile shows below 100 %
// and no estimate, and a row due again is no longer deferred.
func TestDeferredRowsAndTheirNextRetry(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "grey.test", Mailboxes: []string{"ann", "bob"}, Server: mailsim.Host{Greylist: time.Hour}},
		{Name: "shop.test", Mailboxes: []string{"cat"}},
	}})
	e := setup(t, world, lists.Options{RetryDelay: time.Hour})
	w := e.workspace(t, "alpha")
	ctx := context.Background()
	before := time.Now()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: w.ID, By: w.Owner, Name: "grey",
		Emails: []string{"ann@grey.test", "bob@grey.test", "cat@shop.test"}})
	if err != nil {
		t.Fatal(err)
	}
	e.start(2)
	got := e.wait(t, w.ID, l.ID, w.Owner, func(l lists.List) bool { return l.ProcessedRows == 1 && l.DeferredRows == 2 })
	if got.Finished() || got.Progress() >= 100 {
		t.Fatalf("a list with deferred rows shows %v %% (%s)", got.Progress(), got.Status)
	}
	if got.NextRetryAt == nil || got.NextRetryAt.Before(before.Add(59*time.Minute)) || got.NextRetryAt.After(time.Now().Add(61*time.Minute)) {
		t.Fatalf("next retry %v, want in about an hour", got.NextRetryAt)
	}
	if eta, ok := got.ETA(time.Now()); ok {
		t.Fatalf("an estimate (%v) while only deferred rows are left", eta)
	}
	page, err := e.store.ListAll(ctx, w.ID, "", 10, w.Owner)
	if err != nil || len(page.Lists) != 1 || page.Lists[0].DeferredRows != 2 || page.Lists[0].NextRetryAt == nil {
		t.Fatalf("ListAll: %+v %v", page.Lists, err)
	}
	// The batch writer opened the rate window at its first write.
	if n := e.count(t, `SELECT count(*) FROM lists WHERE id = ? AND rate_mark_at IS NOT NULL`, l.ID); n != 1 {
		t.Fatal("the batch writer did not open the rate window")
	}

	// A row whose retry is due is work to do, no longer deferred.
	if err := e.d.Tx(ctx, db.Tenant(w.ID), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE list_rows SET retry_at = now() - interval '1 second'
			WHERE tenant_id = ? AND list_id = ? AND email = 'bob@grey.test'`, w.ID, l.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err = e.store.Get(ctx, w.ID, l.ID, w.Owner)
	if err != nil || got.DeferredRows != 1 || got.ActiveRows() != 1 {
		t.Fatalf("after bob's retry came due: deferred %d active %d (%v)", got.DeferredRows, got.ActiveRows(), err)
	}
}
