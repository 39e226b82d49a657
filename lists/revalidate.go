package lists

// What scheduled re-validation (package schedules) needs of a list: its
// unique addresses, fresh verdicts that skip the cache, and writing back
// the verdicts that differ. The run's own tables belong to schedules.

import (
	"context"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/usage"
	"mailvet/verify"
)

// GetInTx reads a list of the transaction's tenant in the given mode
// (ErrNotFound for the other mode, as Get).
func GetInTx(ctx context.Context, tx db.Tx, tenantID, id uuid.UUID, testMode bool) (List, error) {
	return getList(ctx, tx, tenantID, id, testMode)
}

// GetAnyModeInTx reads a list whatever its mode: for a run's job, which
// acts on the list it was queued for.
func GetAnyModeInTx(ctx context.Context, tx db.Tx, tenantID, id uuid.UUID) (List, error) {
	return getAnyMode(ctx, tx, tenantID, id)
}

// Address is one unique address of a list.
type Address struct {
	RowNo int    `bun:"row_no"`
	Email string `bun:"email"`
}

// UniqueAddresses returns up to limit of a finished list's verified
// unique addresses after row after, in row order (duplicates and skipped
// rows are not asked again: they take their original's verdict).
func UniqueAddresses(ctx context.Context, tx db.Tx, tenantID, listID uuid.UUID, after, limit int) ([]Address, error) {
	var out []Address
	err := tx.NewSelect().Table("list_rows").Column("row_no", "email").
		Where("tenant_id = ? AND list_id = ? AND state = 'done' AND row_no > ?", tenantID, listID, after).
		OrderExpr("row_no").Limit(int64(limit)).Scan(ctx, &out)
	return out, err
}

// Reverified is one address's fresh verdict.
type Reverified struct {
	RowNo    int
	Result   verify.Result
	Answered bool // false: the run stopped before the engine answered it
	// Free: answered without the engine's work (the tenant's rules, test
	// mode, an address that does not parse): not charged, as on an
	// upload (usage.Billable).
	Free bool
}

// Reverify verifies addresses again, skipping the result cache (which is
// the point of a re-validation): the tenant's rules first, then the
// engine. It keeps to ctx's deadline as a batch does.
func (p *Processor) Reverify(ctx context.Context, tenantID uuid.UUID, addrs []Address, testMode bool) ([]Reverified, error) {
	due := make([]pendingRow, len(addrs))
	for i, a := range addrs {
		due[i] = pendingRow{RowNo: a.RowNo, Email: a.Email}
	}
	policy, err := p.policy(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	answers, err := p.verify(ctx, tenantID, due, testMode, false, policy)
	if err != nil {
		return nil, err
	}
	out := make([]Reverified, len(addrs))
	for i, r := range answers.results {
		ok := answers.answered[i]
		out[i] = Reverified{RowNo: addrs[i].RowNo, Result: r, Answered: ok, Free: ok && !usage.Billable(r, testMode)}
	}
	return out, nil
}

// StatusChange is a row whose status a re-verification changed.
type StatusChange struct {
	RowNo     int
	OldStatus string
	NewStatus string
	NewReason string
}

// ApplyVerdicts writes fresh verdicts to a list's rows between rows from
// and to, in tx, and returns the rows whose status changed. A row is
// written only when its verdict differs (status, reason, score, flags,
// suggestion, MX; not the SMTP reply's wording): an unchanged row is not
// rewritten, so a monthly run over a million rows does not leave a
// million dead tuples behind. The list's counters are left to Recount.
func ApplyVerdicts(ctx context.Context, tx db.Tx, tenantID, listID uuid.UUID, from, to int, verdicts []Reverified) ([]StatusChange, error) {
	if len(verdicts) == 0 {
		return nil, nil
	}
	if err := planEachRun(ctx, tx); err != nil {
		return nil, err
	}
	cols := newVerdictColumns(len(verdicts))
	for _, v := range verdicts {
		cols.add(v.RowNo, v.Result)
	}
	// The table joined to itself (o) reads each row as it was before the
	// statement, so RETURNING gives the old status beside the new one.
	// One pass over the batch's rows: a form with the old statuses in a
	// CTE of their own was planned as a nested loop over two misestimated
	// CTE scans (24 million comparisons a 5,000-row chunk, 6 s, measured).
	rows, err := tx.Tx.Tx.QueryContext(ctx, `WITH v AS (SELECT * FROM `+verdictsFrom()+`),
		upd AS (
			UPDATE list_rows AS r SET status = v.status, reason = v.reason, score = v.score, disposable = v.disposable, role = v.role,
				free = v.free, catch_all = v.catch_all, suggestion = v.suggestion, mx = v.mx, smtp_reply = nullif(v.smtp_reply, ''),
				checked_at = v.checked_at
			FROM v, list_rows AS o
			WHERE r.tenant_id = $13 AND r.list_id = $14 AND r.row_no BETWEEN $15 AND $16 AND r.row_no = v.row_no AND r.state = 'done'
			  AND o.tenant_id = r.tenant_id AND o.list_id = r.list_id AND o.row_no = r.row_no
			  AND (r.status, r.reason, r.score, r.disposable, r.role, r.free, r.catch_all, r.suggestion, r.mx)
			      IS DISTINCT FROM (v.status, v.reason, v.score, v.disposable, v.role, v.free, v.catch_all, v.suggestion, v.mx)
			RETURNING r.row_no, o.status AS old_status, v.status AS new_status, v.reason AS new_reason)
		SELECT row_no, old_status, new_status, new_reason FROM upd WHERE old_status IS DISTINCT FROM new_status ORDER BY row_no`,
		cols.args(tenantID, listID, from, to)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StatusChange
	for rows.Next() {
		var c StatusChange
		var old *string
		if err := rows.Scan(&c.RowNo, &old, &c.NewStatus, &c.NewReason); err != nil {
			return nil, err
		}
		if old != nil {
			c.OldStatus = *old
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Recount sets a list's verdict counters from its rows, after a run
// changed some, and returns them.
func Recount(ctx context.Context, tx db.Tx, tenantID, listID uuid.UUID) (Counts, error) {
	var c Counts
	err := tx.QueryRowContext(ctx, `UPDATE lists l SET deliverable = c.d, undeliverable = c.u, risky = c.r, unknown = c.k
		FROM (SELECT count(*) FILTER (WHERE status = 'deliverable') AS d, count(*) FILTER (WHERE status = 'undeliverable') AS u,
		             count(*) FILTER (WHERE status = 'risky') AS r, count(*) FILTER (WHERE status = 'unknown') AS k
		      FROM list_rows WHERE tenant_id = ? AND list_id = ? AND state = 'done') c
		WHERE l.tenant_id = ? AND l.id = ? RETURNING l.deliverable, l.undeliverable, l.risky, l.unknown`,
		tenantID, listID, tenantID, listID).Scan(&c.Deliverable, &c.Undeliverable, &c.Risky, &c.Unknown)
	return c, err
}
