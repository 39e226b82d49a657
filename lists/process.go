package lists

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/rules"
	"mailvet/verifications"
	"mailvet/verify"
)

// Engine is the engine's batch entry point.
type Engine interface {
	VerifyBatch(ctx context.Context, emails []string, emit func(i int, r verify.Result))
}

// RuleSource gives a tenant's compiled rules.
type RuleSource interface {
	RuleSet(ctx context.Context, tenantID uuid.UUID) (*rules.RuleSet, error)
}

// Cache reads a tenant's cached results in bulk.
type Cache interface {
	CachedMany(ctx context.Context, tenantID uuid.UUID, normalized []string, ttl time.Duration) (map[string]verify.Result, error)
}

// Processor verifies list batches.
type Processor struct {
	store    *Store
	engine   Engine
	rules    RuleSource
	cache    Cache
	cacheTTL func(ctx context.Context, tenantID uuid.UUID) (time.Duration, error)
}

// NewProcessor returns a Processor. cacheTTL tells a tenant's cache
// lifetime (zero: no cache).
func NewProcessor(store *Store, engine Engine, rules RuleSource, cache Cache,
	cacheTTL func(ctx context.Context, tenantID uuid.UUID) (time.Duration, error)) *Processor {
	return &Processor{store: store, engine: engine, rules: rules, cache: cache, cacheTTL: cacheTTL}
}

type pendingRow struct {
	RowNo    int        `bun:"row_no"`
	Email    string     `bun:"email"`
	Attempts int        `bun:"attempts"`
	RetryAt  *time.Time `bun:"retry_at"`
}

// Process verifies the due pending rows of one batch and writes their
// results, the list's counters and (through complete) the job's completion
// in one transaction: a batch run again after a crash finds its written
// rows done and redoes nothing. It returns how long to wait before the
// batch's deferred rows (greylisted, timed out) may be asked again, or
// zero when the batch is finished.
func (p *Processor) Process(ctx context.Context, args VerifyBatchArgs, complete func(ctx context.Context, tx *sql.Tx) error) (time.Duration, error) {
	l, err := p.store.Get(ctx, args.TenantID, args.ListID)
	if errors.Is(err, ErrNotFound) {
		return 0, nil // deleted: nothing to do
	}
	if err != nil {
		return 0, err
	}
	if l.Finished() {
		return 0, nil // cancelled
	}
	db := p.store.db.Bun
	if _, err := db.NewUpdate().Model((*List)(nil)).Set("status = 'running'").Set("started_at = coalesce(started_at, now())").
		Where("tenant_id = ? AND id = ? AND status = 'queued'", args.TenantID, args.ListID).Exec(ctx); err != nil {
		return 0, err
	}
	var rows []pendingRow
	if err := db.NewSelect().Table("list_rows").Column("row_no", "email", "attempts", "retry_at").
		Where("tenant_id = ? AND list_id = ? AND row_no BETWEEN ? AND ? AND state = 'pending'", args.TenantID, args.ListID, args.FromRow, args.ToRow).
		OrderExpr("row_no").Scan(ctx, &rows); err != nil {
		return 0, err
	}
	now := time.Now()
	var due []pendingRow
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
			return wait, nil
		}
		return 0, p.finish(ctx, args, nil, complete)
	}
	results, err := p.verify(ctx, args.TenantID, due, l.TestMode)
	if err != nil {
		return 0, err
	}
	var final []rowResult
	var retry []rowRetry
	for i, r := range due {
		res := results[i]
		if res.Temporary() && r.Attempts+1 < p.store.opts.MaxAttempts {
			retry = append(retry, rowRetry{RowNo: r.RowNo, Attempts: r.Attempts + 1})
			continue
		}
		final = append(final, rowResult{RowNo: r.RowNo, Result: res})
	}
	if len(retry) > 0 {
		wait = p.store.opts.RetryDelay
	}
	return wait, p.write(ctx, args, final, retry, wait == 0, complete)
}

// verify answers each due row: the tenant's rules first, then its cache,
// then the engine for the rest, grouped in one batch call.
func (p *Processor) verify(ctx context.Context, tenantID uuid.UUID, due []pendingRow, testMode bool) ([]verify.Result, error) {
	out := make([]verify.Result, len(due))
	done := make([]bool, len(due))
	rs, err := p.rules.RuleSet(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var norms []string
	for i, r := range due {
		if res, _, ok := rs.Check(r.Email); ok {
			out[i], done[i] = res, true
			continue
		}
		if testMode {
			out[i], done[i] = verify.TestMode(r.Email), true
			continue
		}
		norms = append(norms, normalized(r.Email))
	}
	ttl, err := p.cacheTTL(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	cached, err := p.cache.CachedMany(ctx, tenantID, norms, ttl)
	if err != nil {
		return nil, err
	}
	var emails []string
	var idx []int
	for i, r := range due {
		if done[i] {
			continue
		}
		if c, ok := cached[normalized(r.Email)]; ok {
			c.Email = r.Email
			out[i] = c
			continue
		}
		emails = append(emails, r.Email)
		idx = append(idx, i)
	}
	p.engine.VerifyBatch(ctx, emails, func(j int, r verify.Result) { out[idx[j]] = r })
	return out, ctx.Err()
}

type rowResult struct {
	RowNo  int
	Result verify.Result
}

type rowRetry struct {
	RowNo    int `json:"row_no"`
	Attempts int `json:"attempts"`
}

// write stores a batch's outcome in one transaction.
func (p *Processor) write(ctx context.Context, args VerifyBatchArgs, final []rowResult, retry []rowRetry, batchDone bool,
	complete func(ctx context.Context, tx *sql.Tx) error) error {
	return p.store.db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lockList(ctx, tx, args); err != nil {
			return err
		}
		if err := writeResults(ctx, tx, args, final); err != nil {
			return err
		}
		if len(retry) > 0 {
			payload, _ := json.Marshal(retry)
			if _, err := tx.ExecContext(ctx, `UPDATE list_rows AS r SET attempts = v.attempts, retry_at = now() + ?::interval
				FROM jsonb_to_recordset(?::jsonb) AS v(row_no int, attempts int)
				WHERE r.tenant_id = ? AND r.list_id = ? AND r.row_no = v.row_no AND r.state = 'pending'`,
				fmt.Sprintf("%d milliseconds", p.store.opts.RetryDelay.Milliseconds()), string(payload), args.TenantID, args.ListID); err != nil {
				return err
			}
		}
		results := make([]verify.Result, len(final))
		for i, f := range final {
			results[i] = f.Result
		}
		if err := verifications.SaveCacheMany(ctx, tx, args.TenantID, results); err != nil {
			return err
		}
		if !batchDone {
			return nil
		}
		return p.finishTx(ctx, tx, args, complete)
	})
}

// finish completes a batch that had nothing left to do.
func (p *Processor) finish(ctx context.Context, args VerifyBatchArgs, _ any, complete func(ctx context.Context, tx *sql.Tx) error) error {
	return p.store.db.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := lockList(ctx, tx, args); err != nil {
			return err
		}
		return p.finishTx(ctx, tx, args, complete)
	})
}

// lockList serialises the writes of a list's batches, so that the last
// batch to finish always sees every other batch's rows as done. A deleted
// list leaves nothing to lock; the writes then touch no rows.
func lockList(ctx context.Context, tx bun.Tx, args VerifyBatchArgs) error {
	_, err := tx.ExecContext(ctx, `SELECT 1 FROM lists WHERE tenant_id = ? AND id = ? FOR UPDATE`, args.TenantID, args.ListID)
	return err
}

// finishTx completes the job and, when no row of the list is pending any
// more, the list.
func (p *Processor) finishTx(ctx context.Context, tx bun.Tx, args VerifyBatchArgs, complete func(ctx context.Context, tx *sql.Tx) error) error {
	if _, err := tx.ExecContext(ctx, `UPDATE lists SET status = 'completed', completed_at = now()
		WHERE tenant_id = ? AND id = ? AND status = 'running'
		  AND NOT EXISTS (SELECT 1 FROM list_rows WHERE tenant_id = ? AND list_id = ? AND state = 'pending')`,
		args.TenantID, args.ListID, args.TenantID, args.ListID); err != nil {
		return err
	}
	return complete(ctx, tx.Tx)
}
