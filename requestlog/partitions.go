package requestlog

import (
	"context"
	"time"

	"mailvet/db"
)

// DaysAhead is how many days after today the upkeep keeps partitions
// made, so that a job that fails for a while leaves the writer a week.
const DaysAhead = 7

// DefaultRetention is how long requests are kept when the setting is
// not given.
const DefaultRetention = 30 * 24 * time.Hour

// partitionScope is the upkeep's path: a partition holds every tenant's
// requests of its day, so adding or dropping one is cross-tenant work.
var partitionScope = db.System("request log partitions: a day's partition holds every tenant's requests")

// Upkeep is what one run of Maintain did.
type Upkeep struct {
	Made    int      `json:"made"`
	Dropped []string `json:"dropped"`
}

// Maintain makes the day partitions from yesterday to DaysAhead days
// after now (UTC) that are missing, and drops those whose whole day is
// older than retention (a partition goes once its last request is past
// it, so up to a day more than retention is kept).
func (s *Store) Maintain(ctx context.Context, now time.Time, retention time.Duration) (Upkeep, error) {
	if retention <= 0 {
		retention = DefaultRetention
	}
	today := day(now)
	// The first day still (partly) inside the retention: its partition
	// and those after it stay.
	keepFrom := day(now.Add(-retention))
	var up Upkeep
	err := s.db.Tx(ctx, partitionScope, func(ctx context.Context, tx db.Tx) error {
		if err := tx.NewRaw(`SELECT request_logs_make_partitions(?::date, ?)`, today.AddDate(0, 0, -1).Format(time.DateOnly), DaysAhead+2).Scan(ctx, &up.Made); err != nil {
			return err
		}
		up.Dropped = []string{}
		return tx.NewRaw(`SELECT request_logs_drop_partitions(?::date)`, keepFrom.Format(time.DateOnly)).Scan(ctx, &up.Dropped)
	})
	return up, err
}

// makePartitions makes the partitions of days that are missing, for the
// writer when a row found none.
func makePartitions(ctx context.Context, d *db.DB, days []time.Time) error {
	return d.Tx(ctx, partitionScope, func(ctx context.Context, tx db.Tx) error {
		for _, day := range days {
			if _, err := tx.ExecContext(ctx, `SELECT request_logs_make_partitions(?::date, 1)`, day.Format(time.DateOnly)); err != nil {
				return err
			}
		}
		return nil
	})
}

// day is t's UTC day at midnight: partitions are UTC days.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
