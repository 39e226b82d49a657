package inbound

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
)

// dedupeWindow is how long a webhook-id's answer is kept for repeats.
const dedupeWindow = 24 * time.Hour

// pushKey names one push: its endpoint and its webhook-id, within the
// endpoint's tenant.
type pushKey struct {
	tenant, endpoint uuid.UUID
	webhookID        string
}

// claim is a push's row in inbound_requests: status 0 while its first
// sender's request is verifying it, the answer once stored. claimedAt
// (created_at) tells this claim from a later takeover of the same row.
type claim struct {
	claimedAt time.Time
	status    int
	response  string
}

// errLostClaim says the claim was taken over while this request worked
// (it outlived the lease): its events and answer are not stored.
var errLostClaim = errors.New("inbound push: the claim was taken over")

// take claims the push for this request, or reads its row when another
// request has it. It commits at once, so that a repeat arriving while the
// push is verified sees the claim rather than waiting on a lock (no
// transaction stays open while addresses are verified: an SMTP probe
// takes seconds).
//
// The row is ours when it is new, when it holds an answer older than the
// dedupe window (the id is then a new push), or when it is a claim older
// than the lease, left by a process that crashed: that one is taken over
// and the push verified again (what the crashed process charged for
// definite verdicts is mostly answered from the cache this time).
// Two requests claiming at once serialize on the primary key: the second
// waits for the first's commit and then finds its fresh claim.
func (s *Service) take(ctx context.Context, k pushKey) (c claim, ours bool, err error) {
	err = s.db.Tx(ctx, db.Tenant(k.tenant), func(ctx context.Context, tx db.Tx) error {
		err := tx.NewRaw(`INSERT INTO inbound_requests (tenant_id, endpoint_id, webhook_id, status, response) VALUES (?, ?, ?, 0, '')
			ON CONFLICT (endpoint_id, webhook_id) DO UPDATE SET status = 0, response = '', created_at = now()
			WHERE (inbound_requests.status <> 0 AND inbound_requests.created_at < now() - make_interval(secs => ?))
				OR (inbound_requests.status = 0 AND inbound_requests.created_at < now() - make_interval(secs => ?))
			RETURNING created_at`, k.tenant, k.endpoint, k.webhookID, dedupeWindow.Seconds(), s.lease().Seconds()).Scan(ctx, &c.claimedAt)
		if err == nil {
			ours = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// A statement of its own sees the row the insert conflicted with,
		// committed by the request that claimed it.
		return tx.NewRaw(`SELECT created_at, status, response FROM inbound_requests WHERE tenant_id = ? AND endpoint_id = ? AND webhook_id = ?`,
			k.tenant, k.endpoint, k.webhookID).Scan(ctx, &c.claimedAt, &c.status, &c.response)
	})
	return c, ours, err
}

// answer stores the push's answer in its claim, in tx, the transaction
// that records its events: both commit or neither.
func answer(ctx context.Context, tx db.Tx, k pushKey, c claim, a Answer) error {
	res, err := tx.NewRaw(`UPDATE inbound_requests SET status = ?, response = ?
		WHERE tenant_id = ? AND endpoint_id = ? AND webhook_id = ? AND status = 0 AND created_at = ?`,
		a.Status, string(a.Body), k.tenant, k.endpoint, k.webhookID, c.claimedAt).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errLostClaim
	}
	return nil
}

// release gives up a claim when its push did not get an answer (refused
// by the quota, or an error part of the way), so that the sender's retry
// with the same webhook-id is a new try rather than a wait.
func (s *Service) release(ctx context.Context, k pushKey, c claim) error {
	// Released even when the sender has hung up: a claim left behind
	// would make its retries wait out the lease.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	return s.db.Tx(ctx, db.Tenant(k.tenant), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewRaw(`DELETE FROM inbound_requests WHERE tenant_id = ? AND endpoint_id = ? AND webhook_id = ? AND status = 0 AND created_at = ?`,
			k.tenant, k.endpoint, k.webhookID, c.claimedAt).Exec(ctx)
		return err
	})
}
