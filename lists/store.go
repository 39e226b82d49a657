package lists

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"mailvet/actor"
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
	// BatchRows is the size of a big list's batches after its first
	// (10,000): larger ones pipeline more addresses of a domain per
	// connection, smaller ones spread a list over more workers and hold
	// less of it in memory at once.
	BatchRows int
	// SuspendedRecheck is how often a suspended tenant's batch looks
	// whether the tenant was resumed (30 s).
	SuspendedRecheck time.Duration
}

// Quota reserves a list's addresses against the tenant's plan and gives
// back what a cancelled or deleted list did not use (billing.Service), in
// the list's own transaction.
type Quota interface {
	ConsumeList(ctx context.Context, tx db.Tx, tenantID, keyID uuid.UUID, lim billing.KeyLimits, n int) (billing.Quota, error)
	Refund(ctx context.Context, tx db.Tx, tenantID uuid.UUID, n int) error
}

// Store keeps lists and their rows.
//
// Every method works in one tenant's scope (db.Tenant) and in one mode:
// the actor's. A test key (by.TestMode) sees and changes only test-mode
// lists; live keys, signed-in users and the operator only live ones, the
// way Stripe keeps test and live data apart. A list of the other mode is
// ErrNotFound, like another tenant's.
type Store struct {
	db     *db.DB
	jobs   JobInserter
	opts   Options
	quota  Quota
	events Events
	link   func(path string) string
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
	if opts.BatchRows <= 0 {
		opts.BatchRows = 10_000
	}
	if opts.SuspendedRecheck <= 0 {
		opts.SuspendedRecheck = 30 * time.Second
	}
	return &Store{db: d, jobs: jobs, opts: opts}
}

// authorize checks that by may act in the tenant with at least role min
// (actor.RequireIn). A user or key of another tenant finds nothing there:
// ErrNotFound, as for another tenant's list, not actor.ErrForbidden.
func authorize(by actor.Actor, tenantID uuid.UUID, min actor.Role) error {
	err := by.RequireIn(tenantID, min)
	if errors.Is(err, actor.ErrOtherTenant) {
		return ErrNotFound
	}
	return err
}

// Options returns the store's limits.
func (s *Store) Options() Options { return s.opts }

// Get returns one of a tenant's lists of the actor's mode.
func (s *Store) Get(ctx context.Context, tenantID, id uuid.UUID, by actor.Actor) (List, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return List{}, err
	}
	var l List
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		if l, err = getList(ctx, tx, tenantID, id, by.TestMode); err != nil {
			return err
		}
		ls := []List{l}
		err = loadDeferred(ctx, tx, tenantID, ls)
		l = ls[0]
		return err
	})
	return l, err
}

// getList reads a list of the transaction's tenant in the given mode.
func getList(ctx context.Context, tx db.Tx, tenantID, id uuid.UUID, testMode bool) (List, error) {
	l, err := getAnyMode(ctx, tx, tenantID, id)
	if err == nil && l.TestMode != testMode {
		return List{}, ErrNotFound
	}
	return l, err
}

// getAnyMode reads a list of the transaction's tenant whatever its mode:
// for the batch jobs, which act on the list they were queued for.
func getAnyMode(ctx context.Context, tx db.Tx, tenantID, id uuid.UUID) (List, error) {
	var l List
	err := tx.NewSelect().Model(&l).Where("tenant_id = ? AND id = ?", tenantID, id).Scan(ctx)
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

// ListAll returns a tenant's lists of the actor's mode, newest first,
// limit at a time; cursor is the Next of the previous page.
func (s *Store) ListAll(ctx context.Context, tenantID uuid.UUID, cursor string, limit int, by actor.Actor) (Page, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return Page{}, err
	}
	limit = min(max(limit, 1), 200)
	var ls []List
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		q := tx.NewSelect().Model(&ls).Where("tenant_id = ? AND test_mode = ?", tenantID, by.TestMode)
		if cursor != "" {
			c, err := decodeListCursor(cursor)
			if err != nil {
				return err
			}
			q = q.Where("(created_at, id) < (?, ?)", c.at, c.id)
		}
		if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
			return err
		}
		return loadDeferred(ctx, tx, tenantID, ls)
	})
	if err != nil {
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
