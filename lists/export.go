package lists

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/verify"
)

// Which rows an export holds (ExportOptions.Rows).
const (
	// RowsAll is every uploaded row, in the file's order: the file given
	// back with its verdicts, as list-cleaning customers expect.
	RowsAll = "all"
	// RowsUnique is one row per address: no duplicates, no skipped rows.
	RowsUnique = "unique"
	// RowsDuplicates and RowsSkipped are the rows set aside.
	RowsDuplicates = "duplicates"
	RowsSkipped    = "skipped"
)

// ExportOptions choose an export's rows: Rows (RowsAll when empty) and,
// when Status is set, only the rows whose address has that verdict.
type ExportOptions struct {
	Rows   string
	Status string
}

// ErrBadExport: an export's options name no rows or no status.
var ErrBadExport = errors.New("rows must be all, unique, duplicates or skipped, and status deliverable, undeliverable, risky or unknown")

// Validate fills in the default and refuses unknown options.
func (o *ExportOptions) Validate() error {
	if o.Rows == "" {
		o.Rows = RowsAll
	}
	if _, ok := exportRowsFilter[o.Rows]; !ok || (o.Status != "" && !verify.Status(o.Status).Known()) {
		return ErrBadExport
	}
	return nil
}

// FileSuffix names the export in its file name, "<list>-<suffix>.csv":
// "all-rows", "unique", "deliverable" (the unique deliverable addresses:
// the cleaned list), "deliverable-all-rows", "duplicates", "skipped".
func (o ExportOptions) FileSuffix() string {
	rows := o.Rows
	if rows == RowsAll {
		rows = "all-rows"
	}
	switch {
	case o.Status == "":
		return rows
	case o.Rows == RowsUnique:
		return o.Status
	}
	return o.Status + "-" + rows
}

// exportRowsFilter is each ExportOptions.Rows as a condition on the row
// (r). A unique address not verified yet (its list runs, or was
// cancelled) is in with an empty verdict.
var exportRowsFilter = map[string]string{
	RowsAll:        "true",
	RowsUnique:     "r.state IN ('done', 'pending')",
	RowsDuplicates: "r.state = 'duplicate'",
	RowsSkipped:    "r.state = 'skipped'",
}

// ExportColumns are appended to the original columns in exports: the
// verdict (empty for a row without one yet, or without an address), then
// whether the row repeats an earlier row's address and why a row without
// an address was skipped.
func ExportColumns() []string {
	return []string{"mailvet_status", "mailvet_reason", "mailvet_score", "mailvet_disposable", "mailvet_role", "mailvet_free",
		"mailvet_catch_all", "mailvet_suggestion", "mailvet_duplicate", "mailvet_skip_reason"}
}

// Export writes the list's rows as CSV: the original columns, then
// ExportColumns. A duplicate carries the verdict of its address's first
// row. Rows stream from PostgreSQL to w in one transaction; memory stays
// flat whatever the list's size.
func (s *Store) Export(ctx context.Context, tenantID, id uuid.UUID, opts ExportOptions, by actor.Actor, w io.Writer) error {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return err
	}
	if err := opts.Validate(); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		l, err := getList(ctx, tx, tenantID, id, by.TestMode)
		if err != nil {
			return err
		}
		cw := NewCSVOut(w)
		header := l.Header
		if len(header) == 0 {
			header = []string{"email"}
		}
		if err := cw.Write(append(append([]string{}, header...), ExportColumns()...)); err != nil {
			return err
		}
		// v is the row's own verdict, or its address's first row's for a
		// duplicate: the lateral look-up runs for duplicates only (its
		// condition on r alone is a one-time filter), so a list without
		// duplicates costs one index scan.
		rows, err := tx.QueryContext(ctx, `SELECT r.fields, r.state = 'duplicate', coalesce(r.skip_reason, ''), coalesce(v.status, ''),
				coalesce(v.reason, ''), coalesce(v.score::text, ''), coalesce(v.disposable::text, ''), coalesce(v.role::text, ''),
				coalesce(v.free::text, ''), coalesce(v.catch_all::text, ''), coalesce(v.suggestion, '')
			FROM list_rows r
			LEFT JOIN LATERAL (
				SELECT r.status, r.reason, r.score, r.disposable, r.role, r.free, r.catch_all, r.suggestion WHERE r.duplicate_of IS NULL
				UNION ALL
				SELECT f.status, f.reason, f.score, f.disposable, f.role, f.free, f.catch_all, f.suggestion FROM list_rows f
				WHERE r.duplicate_of IS NOT NULL AND f.tenant_id = r.tenant_id AND f.list_id = r.list_id AND f.row_no = r.duplicate_of
			) v ON true
			WHERE r.tenant_id = ? AND r.list_id = ? AND `+exportRowsFilter[opts.Rows]+` AND (? = '' OR v.status = ?)
			ORDER BY r.row_no`, tenantID, id, opts.Status, opts.Status)
		if err != nil {
			return err
		}
		defer rows.Close()
		width := len(header)
		record := make([]string, 0, width+len(ExportColumns()))
		var fields []string
		fieldsScan := pgdialect.Array(&fields)
		var duplicate bool
		var skip, status, reason, score, disposable, role, free, catchAll, suggestion string
		for rows.Next() {
			if err := rows.Scan(fieldsScan, &duplicate, &skip, &status, &reason, &score, &disposable, &role, &free, &catchAll, &suggestion); err != nil {
				return err
			}
			record = append(record[:0], fields...)
			for len(record) < width {
				record = append(record, "") // short rows keep the columns aligned
			}
			record = append(record, status, reason, score, disposable, role, free, catchAll, suggestion, strconv.FormatBool(duplicate), skip)
			if err := cw.Write(record); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return cw.Flush()
	})
}
