package inbound

import (
	"context"

	"mailvet/db"
)

// Purge forgets the pushes no repeat can ask for any more: answers older
// than the 24-hour dedupe window, and claims left unanswered past the
// lease by a process that died (take would take either over anyway; this
// keeps the table to a day of pushes). It returns how many rows went.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, db.System("inbound: forget pushes past their dedupe window"), func(ctx context.Context, tx db.Tx) error {
		res, err := tx.NewRaw(`DELETE FROM inbound_requests
			WHERE (status <> 0 AND created_at < now() - make_interval(secs => ?))
				OR (status = 0 AND created_at < now() - make_interval(secs => ?))`,
			dedupeWindow.Seconds(), s.lease().Seconds()).Exec(ctx)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
