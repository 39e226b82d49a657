package lists

import (
	"context"
	"strconv"
	"strings"
	"time"

	"mailvet/db"
	"mailvet/verify"
)

// verdictColumns is a batch of verdicts as one array per column, for the
// statements that write verdicts to rows (a batch's and a re-validation's):
// they read it with unnest, from arrays bound as parameters.
//
// Why arrays and not one JSON document: pgx sends a bound array in
// PostgreSQL's binary format, which the server takes as it is, where a
// JSON payload of ten thousand verdicts is marshalled here, formatted into
// the statement's text, lexed and then parsed into records there (a
// fifth of a batch's write, measured with auto_explain). And the statement
// text stays the same, so it is prepared once per connection.
type verdictColumns struct {
	rowNo                            []int32
	status, reason, smtpReply        []string
	score                            []int16
	disposable, role, free, catchAll []bool
	suggestion, mx                   []*string
	checkedAt                        []time.Time
}

func newVerdictColumns(n int) *verdictColumns {
	return &verdictColumns{
		rowNo: make([]int32, 0, n), status: make([]string, 0, n), reason: make([]string, 0, n), smtpReply: make([]string, 0, n),
		score: make([]int16, 0, n), disposable: make([]bool, 0, n), role: make([]bool, 0, n), free: make([]bool, 0, n),
		catchAll: make([]bool, 0, n), suggestion: make([]*string, 0, n), mx: make([]*string, 0, n), checkedAt: make([]time.Time, 0, n),
	}
}

func (c *verdictColumns) add(rowNo int, r verify.Result) {
	c.rowNo = append(c.rowNo, int32(rowNo))
	c.status = append(c.status, string(r.Status))
	c.reason = append(c.reason, string(r.Reason))
	c.smtpReply = append(c.smtpReply, r.SMTPReply)
	c.score = append(c.score, int16(r.Score))
	c.disposable = append(c.disposable, r.Flags.Disposable)
	c.role = append(c.role, r.Flags.Role)
	c.free = append(c.free, r.Flags.Free)
	c.catchAll = append(c.catchAll, r.Flags.CatchAll)
	c.suggestion = append(c.suggestion, r.Suggestion)
	c.mx = append(c.mx, r.MX)
	c.checkedAt = append(c.checkedAt, r.CheckedAt)
}

// verdictsFrom is the FROM item that reads verdictColumns.args as v, its
// arrays bound as $1 to $12, then the extra columns ("name type"), each
// an array bound in turn after them.
func verdictsFrom(extra ...string) string {
	arrays := `$1::int[], $2::text[], $3::text[], $4::smallint[], $5::bool[], $6::bool[], $7::bool[], $8::bool[],
		$9::text[], $10::text[], $11::text[], $12::timestamptz[]`
	names := "row_no, status, reason, score, disposable, role, free, catch_all, suggestion, mx, smtp_reply, checked_at"
	for i, e := range extra {
		name, typ, _ := strings.Cut(e, " ")
		arrays += ", $" + strconv.Itoa(13+i) + "::" + typ + "[]"
		names += ", " + name
	}
	return "unnest(" + arrays + ") AS v(" + names + ")"
}

// args are the arrays verdictsFrom reads, followed by more (the extra
// columns' arrays, then the statement's own parameters).
func (c *verdictColumns) args(more ...any) []any {
	return append([]any{c.rowNo, c.status, c.reason, c.score, c.disposable, c.role, c.free, c.catchAll,
		c.suggestion, c.mx, c.smtpReply, c.checkedAt}, more...)
}

// planEachRun makes the rest of tx plan each statement with its values.
// The verdict statements bind their parameters and are prepared once per
// connection, and after five runs PostgreSQL may plan them once for any
// values: a plan that cannot see the batch's row range (BETWEEN $17 AND
// $18), estimated on a list's whole table, and a million-row list then
// went six times slower.
func planEachRun(ctx context.Context, tx db.Tx) error {
	_, err := tx.Tx.Tx.ExecContext(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`)
	return err
}
