package lists

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"mailvet/verify/address"
)

// resultColumns are appended to the original columns in exports.
func resultColumns() []string {
	return []string{"mailvet_status", "mailvet_reason", "mailvet_score", "mailvet_disposable", "mailvet_role", "mailvet_free", "mailvet_catch_all", "mailvet_suggestion"}
}

// Export writes the list's verified rows (one per unique address) as CSV:
// the original columns, then the verdict. status filters ("" for all).
// Rows stream from PostgreSQL to w; memory stays flat.
func (s *Store) Export(ctx context.Context, tenantID, id uuid.UUID, status string, w io.Writer) error {
	l, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	header := l.Header
	if len(header) == 0 {
		header = []string{"email"}
	}
	if err := cw.Write(append(append([]string{}, header...), resultColumns()...)); err != nil {
		return err
	}
	q := `SELECT fields, coalesce(status, ''), coalesce(reason, ''), coalesce(score, 0), coalesce(disposable, false),
			coalesce(role, false), coalesce(free, false), coalesce(catch_all, false), coalesce(suggestion, '')
		FROM list_rows WHERE tenant_id = $1 AND list_id = $2 AND state = 'done' AND ($3 = '' OR status = $3) ORDER BY row_no`
	rows, err := s.db.Pool.Query(ctx, q, tenantID, id, status)
	if err != nil {
		return err
	}
	defer rows.Close()
	width := len(header)
	record := make([]string, 0, width+len(resultColumns()))
	var fields []string
	var st, reason, suggestion string
	var score int
	var disposable, role, free, catchAll bool
	_, err = pgx.ForEachRow(rows, []any{&fields, &st, &reason, &score, &disposable, &role, &free, &catchAll, &suggestion}, func() error {
		record = append(record[:0], fields...)
		for len(record) < width {
			record = append(record, "") // short rows keep the columns aligned
		}
		record = append(record, st, reason, strconv.Itoa(score), strconv.FormatBool(disposable),
			strconv.FormatBool(role), strconv.FormatBool(free), strconv.FormatBool(catchAll), suggestion)
		return cw.Write(record)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// ExportRows writes the duplicate or skipped rows as CSV, with the
// original columns and why each was set aside.
func (s *Store) ExportRows(ctx context.Context, tenantID, id uuid.UUID, state string, w io.Writer) error {
	l, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
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
	rows, err := s.db.Pool.Query(ctx, `SELECT row_no, fields, coalesce(duplicate_of::text, skip_reason, '')
		FROM list_rows WHERE tenant_id = $1 AND list_id = $2 AND state = $3 ORDER BY row_no`, tenantID, id, state)
	if err != nil {
		return err
	}
	defer rows.Close()
	var rowNo int
	var fields []string
	var why string
	record := make([]string, 0, len(header)+2)
	_, err = pgx.ForEachRow(rows, []any{&rowNo, &fields, &why}, func() error {
		record = append(record[:0], strconv.Itoa(rowNo))
		record = append(record, fields...)
		for len(record) < len(header)+1 {
			record = append(record, "")
		}
		return cw.Write(append(record, why))
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// RowResult is one row's verdict, for the results API and page.
type RowResult struct {
	Row        int        `json:"row"`
	Email      string     `json:"email"`
	Normalized string     `json:"normalized"` // as in /v1/verify: empty when the address does not parse
	Domain     string     `json:"domain"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason"`
	Score      int        `json:"score"`
	Flags      Flags      `json:"flags"`
	Suggestion *string    `json:"suggestion"`
	MX         *string    `json:"mx"`
	SMTPReply  *string    `json:"smtp_reply"`
	CheckedAt  *time.Time `json:"checked_at"`
}

// Flags mirror the verification flags.
type Flags struct {
	Disposable bool `json:"disposable"`
	Role       bool `json:"role"`
	Free       bool `json:"free"`
	CatchAll   bool `json:"catch_all"`
}

// ResultPage is a page of results and the cursor of the next.
type ResultPage struct {
	Results []RowResult `json:"results"`
	Next    string      `json:"next_cursor,omitempty"`
}

// Results returns verified rows after cursor, filtered by status and
// reason ("" for any), limit at a time.
func (s *Store) Results(ctx context.Context, tenantID, id uuid.UUID, status, reason, cursor string, limit int) (ResultPage, error) {
	if _, err := s.Get(ctx, tenantID, id); err != nil {
		return ResultPage{}, err
	}
	after, err := decodeRowCursor(cursor)
	if err != nil {
		return ResultPage{}, err
	}
	limit = min(max(limit, 1), 1000)
	rows, err := s.db.Pool.Query(ctx, `SELECT row_no, email, status, reason, score, disposable, role, free, catch_all, suggestion, mx, smtp_reply, checked_at
		FROM list_rows WHERE tenant_id = $1 AND list_id = $2 AND state = 'done' AND row_no > $3
		  AND ($4 = '' OR status = $4) AND ($5 = '' OR reason = $5)
		ORDER BY row_no LIMIT $6`, tenantID, id, after, status, reason, limit+1)
	if err != nil {
		return ResultPage{}, err
	}
	page := ResultPage{Results: []RowResult{}}
	var r RowResult
	_, err = pgx.ForEachRow(rows, []any{&r.Row, &r.Email, &r.Status, &r.Reason, &r.Score, &r.Flags.Disposable, &r.Flags.Role,
		&r.Flags.Free, &r.Flags.CatchAll, &r.Suggestion, &r.MX, &r.SMTPReply, &r.CheckedAt}, func() error {
		r.Normalized, r.Domain = "", ""
		if a, problem := address.Parse(r.Email); problem == nil {
			r.Normalized, r.Domain = a.Normalized, a.Domain
		}
		page.Results = append(page.Results, r)
		return nil
	})
	if len(page.Results) > limit {
		page.Results = page.Results[:limit]
		page.Next = encodeRowCursor(page.Results[limit-1].Row)
	}
	return page, err
}
