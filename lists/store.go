package lists

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"mailvet/billing"
	"mailvet/db"
)

// JobInserter inserts River jobs inside a database/sql transaction.
type JobInserter interface {
	InsertManyFastTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) (int, error)
}

// Options are the list limits and retry policy.
type Options struct {
	MaxRows int // rows per upload
	// RetryDelay is how long a greylisted or temporarily failing address
	// waits before it is asked again; MaxAttempts bounds the tries.
	RetryDelay  time.Duration
	MaxAttempts int
	// SmallList is the size up to which a list's batches jump ahead of big
	// lists' (fairness between tenants).
	SmallList int
}

// Quota reserves a list's addresses against the tenant's plan and gives
// back what a cancelled list did not use (billing.Service).
type Quota interface {
	Consume(ctx context.Context, tx *sql.Tx, tenantID, keyID uuid.UUID, lim billing.KeyLimits, n int) (billing.Quota, error)
	Refund(ctx context.Context, tx *sql.Tx, tenantID uuid.UUID, n int) error
}

// Store keeps lists and their rows.
type Store struct {
	db    *db.DB
	jobs  JobInserter
	opts  Options
	quota Quota
}

// WithQuota makes lists reserve their unique addresses when created.
func (s *Store) WithQuota(q Quota) *Store {
	s.quota = q
	return s
}

// NewStore returns a Store.
func NewStore(d *db.DB, jobs JobInserter, opts Options) *Store {
	if opts.MaxRows <= 0 {
		opts.MaxRows = 1_000_000
	}
	if opts.RetryDelay <= 0 {
		opts.RetryDelay = 5 * time.Minute
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 3
	}
	if opts.SmallList <= 0 {
		opts.SmallList = 10_000
	}
	return &Store{db: d, jobs: jobs, opts: opts}
}

// Options returns the store's limits.
func (s *Store) Options() Options { return s.opts }

// Get returns one of a tenant's lists.
func (s *Store) Get(ctx context.Context, tenantID, id uuid.UUID) (List, error) {
	var l List
	err := s.db.Bun.NewSelect().Model(&l).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return l, ErrNotFound
	}
	return l, err
}

// Page is a slice of lists and the cursor of the next one.
type Page struct {
	Lists []List
	Next  string
}

// ListAll returns a tenant's lists, newest first, limit at a time; cursor
// is the Next of the previous page.
func (s *Store) ListAll(ctx context.Context, tenantID uuid.UUID, cursor string, limit int) (Page, error) {
	limit = min(max(limit, 1), 200)
	q := s.db.Bun.NewSelect().Model((*List)(nil)).Where("tenant_id = ?", tenantID)
	if cursor != "" {
		c, err := decodeListCursor(cursor)
		if err != nil {
			return Page{}, err
		}
		q = q.Where("(created_at, id) < (?, ?)", c.at, c.id)
	}
	var ls []List
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit+1)).Scan(ctx, &ls); err != nil {
		return Page{}, err
	}
	p := Page{Lists: ls}
	if len(ls) > limit {
		p.Lists = ls[:limit]
		last := p.Lists[limit-1]
		p.Next = encodeListCursor(last.CreatedAt, last.ID)
	}
	return p, nil
}

// Cancel stops a list: no further rows are verified, and the quota it
// reserved for them is given back. Jobs still queued find the list
// cancelled and end without work.
func (s *Store) Cancel(ctx context.Context, tenantID, id uuid.UUID) (List, error) {
	var l List
	err := s.db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Locking the list waits for a batch writing its results, so the
		// refund counts exactly the rows that will never be verified.
		err := tx.NewUpdate().Model(&l).Set("status = 'cancelled'").Set("completed_at = now()").
			Where("tenant_id = ? AND id = ? AND status IN ('queued', 'running')", tenantID, id).
			Returning("*").Scan(ctx)
		if err != nil || s.quota == nil || l.TestMode {
			return err
		}
		return s.quota.Refund(ctx, tx.Tx, tenantID, l.UniqueRows-l.ProcessedRows)
	})
	if errors.Is(err, sql.ErrNoRows) {
		if _, gerr := s.Get(ctx, tenantID, id); gerr != nil {
			return l, gerr
		}
		return l, ErrFinished
	}
	return l, err
}

// Delete removes a list with its rows and results; its jobs find nothing
// to do.
func (s *Store) Delete(ctx context.Context, tenantID, id uuid.UUID) error {
	res, err := s.db.Bun.NewDelete().Model((*List)(nil)).Where("tenant_id = ? AND id = ?", tenantID, id).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
