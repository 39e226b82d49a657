package lists

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/rules"
	"mailvet/tenants"
	"mailvet/usage"
	"mailvet/verify"
)

// Engine is the engine's batch entry point.
type Engine interface {
	VerifyBatch(ctx context.Context, emails []string, share verify.Share, emit func(i int, r verify.Result))
}

// RuleSource gives a tenant's compiled rules.
type RuleSource interface {
	RuleSet(ctx context.Context, tenantID uuid.UUID) (*rules.RuleSet, error)
}

// Cache is the tenant's result cache (verifications.Service): read in
// bulk, and given a batch's live verdicts in the batch's own transaction.
// It keeps live engine verdicts only; a test-mode caller gets and gives
// none.
type Cache interface {
	CachedMany(ctx context.Context, tenantID uuid.UUID, testMode bool, normalized []string, ttl time.Duration) (map[string]verify.Result, error)
	SaveVerdicts(ctx context.Context, tx db.Tx, tenantID uuid.UUID, testMode bool, results []verify.Result) error
}

// PolicySource tells what a tenant's settings, and its operator's, ask of
// its batches (tenants.Store.BatchPolicy), for a re-validation; a batch
// reads it with its rows.
type PolicySource func(ctx context.Context, tenantID uuid.UUID) (tenants.BatchPolicy, error)

// Processor verifies list batches.
type Processor struct {
	store  *Store
	engine Engine
	rules  RuleSource
	cache  Cache
	policy PolicySource
	obs    Observer
}

// NewProcessor returns a Processor.
func NewProcessor(store *Store, engine Engine, rules RuleSource, cache Cache, policy PolicySource) *Processor {
	return &Processor{store: store, engine: engine, rules: rules, cache: cache, policy: policy, obs: unobserved{}}
}

type pendingRow struct {
	RowNo    int        `bun:"row_no"`
	Email    string     `bun:"email"`
	Attempts int        `bun:"attempts"`
	RetryAt  *time.Time `bun:"retry_at"`
}

// Next says what a batch's job does after a run.
type Next struct {
	// Done: nothing is left to do (the last results were written with the
	// job's completion, or the list is finished or gone).
	Done bool
	// After is, when not Done, how long the job waits before it runs again:
	// until greylisted rows may be asked again, or zero when the run was
	// cut short by its time limit and goes on at once from what it wrote.
	After time.Duration
}

// Process verifies the due pending rows of one batch and writes their
// results, the list's counters and (through complete) the job's completion
// in one transaction: a batch run again after a crash finds its written
// rows done and redoes nothing. Everything runs in the list's tenant scope
// (args.TenantID), whatever the list's mode.
//
// A run keeps to the deadline of ctx (the job's timeout): the engine stops
// early enough for the rows answered so far to be written, and the rows it
// did not answer stay pending, untouched, for the next run. So a timeout
// shorter than a batch needs neither loses a row nor verifies one twice.
func (p *Processor) Process(ctx context.Context, args VerifyBatchArgs, complete func(ctx context.Context, tx *sql.Tx) error) (Next, error) {
	l, rows, policy, err := p.start(ctx, args)
	if errors.Is(err, ErrNotFound) {
		return Next{Done: true}, nil // deleted: nothing to do
	}
	if errors.Is(err, errSuspended) {
		return Next{After: p.store.opts.SuspendedRecheck}, nil // paused until the tenant is resumed
	}
	if err != nil {
		return Next{}, err
	}
	if l.Finished() {
		return Next{Done: true}, nil // cancelled
	}
	now := time.Now()
	due := rows[:0] // in place: rows is not read again
	wait := time.Duration(0)
	for _, r := range rows {
		if r.RetryAt == nil || !r.RetryAt.After(now) {
			due = append(due, r)
		} else if w := r.RetryAt.Sub(now); wait == 0 || w < wait {
			wait = w
		}
	}
	if len(due) == 0 {
		if wait > 0 {
			return Next{After: wait}, nil
		}
		return Next{Done: true}, p.finish(ctx, args, complete)
	}
	answers, err := p.verify(ctx, args.TenantID, due, l.TestMode, true, policy)
	if err != nil {
		return Next{}, err
	}
	if err := ctx.Err(); err != nil {
		return Next{}, err // stopped from outside: nothing written, River runs the job again
	}
	out := p.sort(due, answers)
	next := Next{Done: true}
	later := func(d time.Duration) {
		if next.Done || d < next.After {
			next = Next{After: d}
		}
	}
	if wait > 0 {
		later(wait)
	}
	for _, r := range out.retry {
		later(r.delay)
	}
	if out.cut > 0 {
		later(0)
	}
	stopped, err := p.write(ctx, args, l.TestMode, out, next.Done, complete)
	if err != nil {
		return Next{}, err
	}
	if stopped {
		return Next{Done: true}, nil // cancelled or deleted while in the engine: the job is completed
	}
	p.obs.RowsProcessed(len(out.final))
	for _, i := range out.final {
		p.obs.Verified(usage.SourceList, out.answers.results[i])
	}
	return next, nil
}

// errSuspended says the list's tenant is suspended: its batches wait.
var errSuspended = errors.New("the tenant is suspended")

// start marks the list running and reads the batch's pending rows, and
// from the tenant's row what its settings ask of the batch; a suspended
// tenant's batch reads nothing (errSuspended).
func (p *Processor) start(ctx context.Context, args VerifyBatchArgs) (List, []pendingRow, tenants.BatchPolicy, error) {
	var l List
	var rows []pendingRow
	var tn tenants.Tenant
	err := p.store.db.Tx(ctx, db.Tenant(args.TenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		if l, err = getAnyMode(ctx, tx, args.TenantID, args.ListID); err != nil || l.Finished() {
			return err
		}
		if err := tx.NewSelect().Model(&tn).Column("status", "settings", "operator_settings").Where("id = ?", args.TenantID).Scan(ctx); err != nil {
			return err
		}
		if !tn.Active() {
			return errSuspended
		}
		if _, err := tx.NewUpdate().Model((*List)(nil)).Set("status = 'running'").Set("started_at = coalesce(started_at, now())").
			Where("tenant_id = ? AND id = ? AND status = 'queued'", args.TenantID, args.ListID).Exec(ctx); err != nil {
			return err
		}
		return tx.NewSelect().Table("list_rows").Column("row_no", "email", "attempts", "retry_at").
			Where("tenant_id = ? AND list_id = ? AND row_no BETWEEN ? AND ? AND state = 'pending'", args.TenantID, args.ListID, args.FromRow, args.ToRow).
			OrderExpr("row_no").Scan(ctx, &rows)
	})
	return l, rows, tn.BatchPolicy(), err
}
