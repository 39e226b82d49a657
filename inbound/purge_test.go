package inbound_test

import (
	"context"
	"testing"
	"time"

	"mailvet/db"
)

// Purge forgets answers past the 24-hour window and claims abandoned past
// the lease, and keeps what a repeat may still ask for; a push whose
// answer was purged is a new push.
func TestPurgeForgetsPushesPastTheirWindow(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	a := e.workspace(t, "alpha")
	ep := e.endpoint(t, a, "http://127.0.0.1:1/a")
	body := `{"emails": ["zed@shop.test"]}`
	for _, id := range []string{"old", "fresh"} {
		if _, err := e.svc.Handle(ctx, push(t, ep.ID, ep.InboundSecret, id, time.Now(), body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.d.Tx(ctx, db.System("test: age pushes"), func(ctx context.Context, tx db.Tx) error {
		if _, err := tx.NewRaw(`UPDATE inbound_requests SET created_at = now() - interval '25 hours' WHERE webhook_id = 'old'`).Exec(ctx); err != nil {
			return err
		}
		// A claim a crashed process left an hour ago (the lease is ten
		// minutes and a margin), and one being verified right now.
		_, err := tx.NewRaw(`INSERT INTO inbound_requests (tenant_id, endpoint_id, webhook_id, status, response, created_at)
			VALUES (?, ?, 'abandoned', 0, '', now() - interval '1 hour'), (?, ?, 'working', 0, '', now())`, a.ID, ep.ID, a.ID, ep.ID).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.Purge(ctx)
	if err != nil || n != 2 {
		t.Fatalf("purged %d (%v), want the old answer and the abandoned claim", n, err)
	}
	if left := e.count(t, `SELECT count(*) FROM inbound_requests WHERE webhook_id IN ('fresh', 'working')`); left != 2 {
		t.Fatalf("%d of the fresh answer and the live claim kept, want 2", left)
	}
	// "old" is a new push now: verified (from the cache) and answered 202.
	again, err := e.svc.Handle(ctx, push(t, ep.ID, ep.InboundSecret, "old", time.Now(), body))
	if err != nil || again.Replayed || again.Status != 202 {
		t.Fatalf("after the purge: %d replayed=%v (%v)", again.Status, again.Replayed, err)
	}
}
