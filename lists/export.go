package lists

import (
	"context"
	"io"
	"strconv"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"mailvet/actor"
	"mailvet/db"
)

// resultColumns are appended to the original columns in exports.
func resultColumns() []string {
	return []string{"mailvet_status", "mailvet_reason", "mailvet_score", "mailvet_disposable", "mailvet_role", "mailvet_free", "mailvet_catch_all", "mailvet_suggestion"}
}

// Export writes the list's verified rows (one per unique address) as CSV:
// the original columns, then the verdict. status filters ("" for all).
// Rows stream from PostgreSQL to w in one transaction; memory stays flat.
func (s *Store) Export(ctx context.Context, tenantID, id uuid.UUID, status string, by actor.Actor, w io.Writer) error {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		l, err := getList(ctx, tx, tenantID, id, by.TestMode)
		if err != nil {
			return err
		}
		cw := newCSVOut(w)
		header := l.Header
		if len(header) == 0 {
			header = []string{"email"}
		}
		if err := cw.Write(append(append([]string{}, header...), resultColumns()...)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT fields, coalesce(status, ''), coalesce(reason, ''), coalesce(score, 0), coalesce(disposable, false),
				coalesce(role, false), coalesce(free, false), coalesce(catch_all, false), coalesce(suggestion, '')
			FROM list_rows WHERE tenant_id = ? AND list_id = ? AND state = 'done' AND (? = '' OR status = ?) ORDER BY row_no`,
			tenantID, id, status, status)
		if err != nil {
			return err
		}
		defer rows.Close()
		width := len(header)
		record := make([]string, 0, width+len(resultColumns()))
		var fields []string
		fieldsScan := pgdialect.Array(&fields)
		var st, reason, suggestion string
		var score int
		var disposable, role, free, catchAll bool
		for rows.Next() {
			if err := rows.Scan(fieldsScan, &st, &reason, &score, &disposable, &role, &free, &catchAll, &suggestion); err != nil {
				return err
			}
			record = append(record[:0], fields...)
			for len(record) < width {
				record = append(record, "") // short rows keep the columns aligned
			}
			record = append(record, st, reason, strconv.Itoa(score), strconv.FormatBool(disposable),
				strconv.FormatBool(role), strconv.FormatBool(free), strconv.FormatBool(catchAll), suggestion)
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

// ExportRows writes the duplicate or skipped rows as CSV, with the
// original columns and why each was set aside.
func (s *Store) ExportRows(ctx context.Context, tenantID, id uuid.UUID, state string, by actor.Actor, w io.Writer) error {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return err
	}
	return s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		l, err := getList(ctx, tx, tenantID, id, by.TestMode)
		if err != nil {
			return err
		}
		cw := newCSVOut(w)
		extra := "mailvet_duplicate_of_row"
		if state == "skipped" {
			extra = "mailvet_skip_reason"
		}
		header := l.Header
		if len(header) == 0 {
			header = []string{"email"}
		}
		if err := cw.Write(append(append([]string{"mailvet_row"}, header...), extra)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT row_no, fields, coalesce(duplicate_of::text, skip_reason, '')
			FROM list_rows WHERE tenant_id = ? AND list_id = ? AND state = ? ORDER BY row_no`, tenantID, id, state)
		if err != nil {
			return err
		}
		defer rows.Close()
		var rowNo int
		var fields []string
		fieldsScan := pgdialect.Array(&fields)
		var why string
		record := make([]string, 0, len(header)+2)
		for rows.Next() {
			if err := rows.Scan(&rowNo, fieldsScan, &why); err != nil {
				return err
			}
			record = append(record[:0], strconv.Itoa(rowNo))
			record = append(record, fields...)
			for len(record) < len(header)+1 {
				record = append(record, "")
			}
			if err := cw.Write(append(record, why)); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return cw.Flush()
	})
}
