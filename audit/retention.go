package audit

import (
	"context"
	"time"

	"mailvet/db"
)

// DefaultRetention is how long events are kept unless the operator says
// otherwise (MAILVET_AUDIT_RETENTION): 400 days, a year and a month of
// slack, so a yearly review always finds the year it reviews.
const DefaultRetention = 400 * 24 * time.Hour

// purgeBatch is how many events one DELETE removes: small enough that no
// transaction holds many locks or a long WAL burst, and that a big backlog
// (the first purge of an old log) goes in many short steps.
const purgeBatch = 5000

// Purge deletes the events older than retention, every tenant's and the
// platform's, purgeBatch at a time, each batch in its own transaction.
// It returns how many went.
func (s *Store) Purge(ctx context.Context, retention time.Duration) (int64, error) {
	cutoff := time.Now().Add(-retention)
	var total int64
	for {
		var n int64
		err := s.db.Tx(ctx, db.System("audit: delete every tenant's events past retention"), func(ctx context.Context, tx db.Tx) error {
			oldest := tx.NewSelect().Model((*Event)(nil)).Column("id").
				Where("created_at < ?", cutoff).OrderExpr("created_at").Limit(purgeBatch)
			res, err := tx.NewDelete().Model((*Event)(nil)).Where("id IN (?)", oldest).Exec(ctx)
			if err != nil {
				return err
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}
