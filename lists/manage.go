package lists

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/safetext"
)

// Cancel stops a list: no further rows are verified, and the quota it
// reserved for them is given back. Jobs still queued find the list
// cancelled and end without work. Any member may cancel a list.
func (s *Store) Cancel(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) (List, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return List{}, err
	}
	var l List
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		// The update waits for a batch writing its results (which holds the
		// list's row lock) and then sees its counters; a batch that takes
		// the lock after it finds the list cancelled and writes nothing
		// (Processor.write). So the refund counts exactly the rows that will
		// never be verified.
		err := tx.NewUpdate().Model(&l).Set("status = 'cancelled'").Set("completed_at = now()").
			Where("tenant_id = ? AND id = ? AND test_mode = ? AND status IN ('queued', 'running')", tenantID, id, by.TestMode).
			Returning("*").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			if _, err := getList(ctx, tx, tenantID, id, by.TestMode); err != nil {
				return err
			}
			return ErrFinished
		}
		if err != nil {
			return err
		}
		unverified, err := s.giveBack(ctx, tx, l)
		if err != nil {
			return err
		}
		if err := s.recordFinished(ctx, tx, l); err != nil {
			return err
		}
		return audit.Record(ctx, tx, tenantID, by, AuditCancelled, auditTarget, id.String(),
			map[string]any{"name": l.Name, "test_mode": l.TestMode, "unverified_rows": unverified})
	})
	if err != nil {
		return List{}, err
	}
	return l, nil
}

// Delete removes a list with its rows and results; its jobs find nothing
// to do. An unfinished list gives back the quota it reserved for the rows
// it did not verify, as Cancel does. Deleting takes an admin or owner (an
// API key acts as an admin).
func (s *Store) Delete(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) error {
	if err := authorize(by, tenantID, actor.RoleAdmin); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var l List
		// As in Cancel, the delete waits for a batch writing its results,
		// and RETURNING gives the counters that batch left; a batch that
		// comes later finds no list and writes nothing.
		err := tx.NewDelete().Model(&l).Where("tenant_id = ? AND id = ? AND test_mode = ?", tenantID, id, by.TestMode).
			Returning("*").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		unverified := 0
		if !l.Finished() {
			if unverified, err = s.giveBack(ctx, tx, l); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, tenantID, by, AuditDeleted, auditTarget, id.String(),
			map[string]any{"name": l.Name, "status": l.Status, "test_mode": l.TestMode, "unverified_rows": unverified})
	})
}

// giveBack refunds the quota reserved for a stopped list's unverified
// rows (test-mode lists reserved none) and says how many there were.
func (s *Store) giveBack(ctx context.Context, tx db.Tx, l List) (int, error) {
	n := l.UniqueRows - l.ProcessedRows
	if s.quota == nil || l.TestMode || n <= 0 {
		return n, nil
	}
	return n, s.quota.Refund(ctx, tx, l.TenantID, n)
}

// Fail marks a list failed once one of its batches gave up (its job's last
// attempt failed): the verdicts so far stay, the quota of the rows never
// verified goes back, and list.failed is recorded, in one transaction. A
// list already finished stays as it is.
func (p *Processor) Fail(ctx context.Context, args VerifyBatchArgs, cause error) error {
	s := p.store
	return s.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		var l List
		err := tx.NewRaw(`UPDATE lists SET status = 'failed', completed_at = now()
			WHERE tenant_id = ? AND id = ? AND status IN ('queued', 'running') RETURNING *`, args.TenantID, args.ListID).Scan(ctx, &l)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := s.giveBack(ctx, tx, l); err != nil {
			return err
		}
		if err := s.recordFinished(ctx, tx, l); err != nil {
			return err
		}
		return audit.Record(ctx, tx, args.TenantID, actor.System("lists.verify_batch"), AuditFailed, auditTarget, l.ID.String(),
			map[string]any{"name": l.Name, "error": safetext.Truncate(cause.Error(), 500)})
	})
}
