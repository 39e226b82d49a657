package schedules

import (
	"context"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/lists"
	"mailvet/usage"
	"mailvet/verify"
)

// rollUp adds a chunk's answers to the tenant's usage rollups, as a
// list's batches do (source list, no key): a run's verifications show on
// the Usage page and in its cost like an upload's.
func rollUp(ctx context.Context, tx db.Tx, tenantID uuid.UUID, testMode bool, verdicts []lists.Reverified) error {
	var c usage.Counts
	for _, v := range verdicts {
		if !v.Answered {
			continue
		}
		switch v.Result.Status {
		case verify.Deliverable:
			c.Deliverable++
		case verify.Undeliverable:
			c.Undeliverable++
		case verify.Risky:
			c.Risky++
		default:
			c.Unknown++
		}
		if usage.Billable(v.Result, testMode) {
			c.Billable++
		}
	}
	if c.Deliverable+c.Undeliverable+c.Risky+c.Unknown == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO usage_daily (`+usage.Columns+`)
		VALUES (?, (now() AT TIME ZONE 'UTC')::date, ?::uuid, ?, ?, ?, ?, ?, ?, 0, ?) `+usage.OnConflict,
		tenantID, usage.NoKey, usage.SourceList, usage.Shard(), c.Deliverable, c.Undeliverable, c.Risky, c.Unknown, c.Billable)
	return err
}
