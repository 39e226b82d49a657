package lists

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/verify/address"
)

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
func (s *Store) Results(ctx context.Context, tenantID, id uuid.UUID, status, reason, cursor string, limit int, by actor.Actor) (ResultPage, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return ResultPage{}, err
	}
	after, err := decodeRowCursor(cursor)
	if err != nil {
		return ResultPage{}, err
	}
	limit = min(max(limit, 1), 1000)
	page := ResultPage{Results: []RowResult{}}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if _, err := getList(ctx, tx, tenantID, id, by.TestMode); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT row_no, email, status, reason, score, disposable, role, free, catch_all, suggestion, mx, smtp_reply, checked_at
			FROM list_rows WHERE tenant_id = ? AND list_id = ? AND state = 'done' AND row_no > ?
			  AND (? = '' OR status = ?) AND (? = '' OR reason = ?)
			ORDER BY row_no LIMIT ?`, tenantID, id, after, status, status, reason, reason, limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r RowResult
			if err := rows.Scan(&r.Row, &r.Email, &r.Status, &r.Reason, &r.Score, &r.Flags.Disposable, &r.Flags.Role,
				&r.Flags.Free, &r.Flags.CatchAll, &r.Suggestion, &r.MX, &r.SMTPReply, &r.CheckedAt); err != nil {
				return err
			}
			if a, problem := address.Parse(r.Email); problem == nil {
				r.Normalized, r.Domain = a.Normalized, a.Domain
			}
			page.Results = append(page.Results, r)
		}
		return rows.Err()
	})
	if err != nil {
		return ResultPage{}, err
	}
	if len(page.Results) > limit {
		page.Results = page.Results[:limit]
		page.Next = encodeRowCursor(page.Results[limit-1].Row)
	}
	return page, nil
}
