package lists_test

import (
	"context"
	"testing"

	"mailvet/lists"
	"mailvet/verify/mailsim"
)

// A big list's batches are all available at once after the upload (none
// waits in state scheduled for River's scheduler, which runs every 5 s),
// spread by scheduled_at so another big list's interleave with them; the
// first two may start at once.
func TestBigListBatchesAreAvailableAtOnce(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "big.test", CatchAll: true}}})
	e := setup(t, world, lists.Options{SmallList: 1000})
	a := e.workspace(t, "alpha")
	l, _, err := e.store.Create(context.Background(), lists.NewList{TenantID: a.ID, By: a.Owner, Name: "big", Emails: emails("big.test", 45000)})
	if err != nil {
		t.Fatal(err)
	}
	jobs := `FROM river_job WHERE kind = 'lists.verify_batch' AND args->>'list_id' = ?`
	if n := e.count(t, `SELECT count(*) `+jobs, l.ID.String()); n != l.Batches || n != 6 {
		t.Fatalf("%d jobs for %d batches, want 6 (1,000 then 10,000 rows each)", n, l.Batches)
	}
	if n := e.count(t, `SELECT count(*) `+jobs+` AND state <> 'available'`, l.ID.String()); n != 0 {
		t.Fatalf("%d of the list's jobs wait for River's scheduler", n)
	}
	if n := e.count(t, `SELECT count(DISTINCT scheduled_at) `+jobs+` AND priority = 3`, l.ID.String()); n != 4 {
		t.Fatalf("the later batches share their scheduled_at (%d distinct of 4)", n)
	}
}
