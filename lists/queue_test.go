package lists_test

import (
	"context"
	"fmt"
	"testing"

	"mailvet/db"
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

// Options.BatchRows sizes a big list's batches after its first; the first
// is never larger than the others.
func TestBatchRowsSizeABigListsBatches(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "big.test", CatchAll: true}}})
	e := setup(t, world, lists.Options{BatchRows: 500})
	a := e.workspace(t, "alpha")
	l, _, err := e.store.Create(context.Background(), lists.NewList{TenantID: a.ID, By: a.Owner, Name: "big", Emails: emails("big.test", 4200)})
	if err != nil {
		t.Fatal(err)
	}
	sizes := `SELECT (args->>'to_row')::int - (args->>'from_row')::int + 1 FROM river_job
		WHERE kind = 'lists.verify_batch' AND args->>'list_id' = ? ORDER BY (args->>'from_row')::int`
	var got []int
	if err := e.d.Tx(context.Background(), db.System("test: read the batch jobs"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(sizes, l.ID.String()).Scan(ctx, &got)
	}); err != nil {
		t.Fatal(err)
	}
	want := []int{500, 500, 500, 500, 500, 500, 500, 500, 200}
	if l.Batches != len(want) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%d batches of %v rows, want %v", l.Batches, got, want)
	}
}
