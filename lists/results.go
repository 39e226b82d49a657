package lists

import (
	"context"
	"encoding/json"

	"github.com/uptrace/bun"

	"mailvet/usage"
	"mailvet/verify/address"
)

// writeResults marks rows done with their verdicts and adds what was
// actually written to the list's counters and the tenant's usage rollups,
// in one statement. Rows already done (a batch run again after a crash)
// are not touched and not counted twice.
func writeResults(ctx context.Context, tx bun.Tx, args VerifyBatchArgs, final []rowResult) error {
	if len(final) == 0 {
		return nil
	}
	type rec struct {
		RowNo      int     `json:"row_no"`
		Status     string  `json:"status"`
		Reason     string  `json:"reason"`
		Score      int     `json:"score"`
		Disposable bool    `json:"disposable"`
		Role       bool    `json:"role"`
		Free       bool    `json:"free"`
		CatchAll   bool    `json:"catch_all"`
		Suggestion *string `json:"suggestion"`
		MX         *string `json:"mx"`
		SMTPReply  string  `json:"smtp_reply"`
		CheckedAt  string  `json:"checked_at"`
		Cached     bool    `json:"cached"`
		Billable   bool    `json:"billable"` // but for test-mode lists
	}
	recs := make([]rec, len(final))
	for i, f := range final {
		r := f.Result
		recs[i] = rec{RowNo: f.RowNo, Status: string(r.Status), Reason: string(r.Reason), Score: r.Score,
			Disposable: r.Flags.Disposable, Role: r.Flags.Role, Free: r.Flags.Free, CatchAll: r.Flags.CatchAll,
			Suggestion: r.Suggestion, MX: r.MX, SMTPReply: r.SMTPReply, CheckedAt: r.CheckedAt.Format("2006-01-02T15:04:05.999999Z07:00"),
			Cached: r.Cached, Billable: usage.Billable(r, false)}
	}
	payload, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `WITH upd AS (
			UPDATE list_rows AS r SET state = 'done', status = v.status, reason = v.reason, score = v.score,
				disposable = v.disposable, role = v.role, free = v.free, catch_all = v.catch_all,
				suggestion = v.suggestion, mx = v.mx, smtp_reply = nullif(v.smtp_reply, ''), checked_at = v.checked_at, retry_at = NULL
			FROM jsonb_to_recordset(?::jsonb) AS v(row_no int, status text, reason text, score smallint, disposable bool, role bool,
				free bool, catch_all bool, suggestion text, mx text, smtp_reply text, checked_at timestamptz, cached bool, billable bool)
			WHERE r.tenant_id = ? AND r.list_id = ? AND r.row_no = v.row_no AND r.state = 'pending'
			RETURNING r.status, v.cached, v.billable),
		rolled AS (
			INSERT INTO usage_daily (`+usage.Columns+`)
			SELECT l.tenant_id, (now() AT TIME ZONE 'UTC')::date, coalesce(l.api_key_id, ?::uuid), 'list', ?,
				count(*) FILTER (WHERE u.status = 'deliverable'), count(*) FILTER (WHERE u.status = 'undeliverable'),
				count(*) FILTER (WHERE u.status = 'risky'), count(*) FILTER (WHERE u.status = 'unknown'),
				count(*) FILTER (WHERE u.cached), count(*) FILTER (WHERE u.billable AND NOT l.test_mode)
			FROM upd u CROSS JOIN lists l WHERE l.tenant_id = ? AND l.id = ?
			GROUP BY l.tenant_id, l.api_key_id, l.test_mode
			`+usage.OnConflict+`)
		UPDATE lists SET processed_rows = processed_rows + (SELECT count(*) FROM upd),
			deliverable = deliverable + (SELECT count(*) FROM upd WHERE status = 'deliverable'),
			undeliverable = undeliverable + (SELECT count(*) FROM upd WHERE status = 'undeliverable'),
			risky = risky + (SELECT count(*) FROM upd WHERE status = 'risky'),
			unknown = unknown + (SELECT count(*) FROM upd WHERE status = 'unknown')
		WHERE tenant_id = ? AND id = ?`,
		string(payload), args.TenantID, args.ListID, usage.NoKey, usage.Shard(), args.TenantID, args.ListID, args.TenantID, args.ListID)
	return err
}

func normalized(email string) string {
	a, problem := address.Parse(email)
	if problem != nil {
		return email
	}
	return a.Normalized
}
